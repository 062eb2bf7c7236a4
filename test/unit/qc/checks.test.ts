// checkResult: every check on label maps of known shapes, with the exact reasons; expected figures worked out by hand.
import { describe, expect, it } from 'vitest';
import type { SegmentChecks } from '../../../src/infer/manifest.js';
import { checkResult, QcError, type QcInput, type QcSegment } from '../../../src/qc/index.js';
import { inBox, inSphere, labelMap, type Dims } from './shapes.js';

// 2 mm slices, 1 mm pixels: a voxel is 2 mm³, so 500 voxels make 1 ml.
const SPACING = [2, 1, 1] as const;
const DIMS: Dims = [10, 20, 20];

function input(data: Uint8Array, segments: QcSegment[], opts: { dims?: Dims; scannedLengthCm?: number } = {}): QcInput {
  return { labels: { data, dims: opts.dims ?? DIMS, spacingMm: SPACING },
    scannedLengthCm: opts.scannedLengthCm ?? 2, segments };
}
const lung = (checks?: SegmentChecks, labelValues = [2]): QcSegment => ({ label: 'Lung', labelValues, checks });
const body = (checks?: SegmentChecks): QcSegment => ({ label: 'Body', labelValues: [1, 2], checks });

/** Body: every voxel of rows 2..17, columns 2..17 (label 1), with a lung block of 10×8×10 = 800 voxels = 1.6 ml
 *  (label 2). */
const bodyWithLung = labelMap(DIMS, (s, r, c) =>
  (inBox(s, r, c, [0, 5, 5], [9, 12, 14]) ? 2 : inBox(s, r, c, [0, 2, 2], [9, 17, 17]) ? 1 : 0));

describe('checkResult', () => {
  it('is "none" when no segment declares a check', () => {
    expect(checkResult(input(bodyWithLung, [body(), lung()]))).toEqual(
      { state: 'none', reasons: [], measurements: [] });
    expect(checkResult(input(bodyWithLung, [body({}), lung({ mayBeAbsent: true })])).state).toBe('none');
  });

  it('passes a result within every limit and reports what it measured', () => {
    const result = checkResult(input(bodyWithLung, [body({ volumeMl: { min: 5, max: 6 } }), lung({
      volumeMl: { min: 1.6, max: 1.6 }, volumeMlPerCm: { min: 0.8, max: 0.8 },
      inside: { segment: 'Body', maxFractionOutside: 0 },
      maxBorderFraction: 0, maxComponents: 1,
    })]));
    expect(result.state).toBe('passed');
    expect(result.reasons).toEqual([]);
    // Body: 10 slices × 16 × 16 = 2560 voxels = 5.12 ml; Lung 800 voxels = 1.6 ml over 2 cm = 0.8 ml/cm
    expect(result.measurements).toEqual([
      { segment: 'Body', voxels: 2560, volumeMl: 5.12, volumeMlPerCm: 2.56, extentCm: 2,
        volumeMlPerCmOfExtent: 2.56, borderFraction: 0 },
      { segment: 'Lung', voxels: 800, volumeMl: 1.6, volumeMlPerCm: 0.8, extentCm: 2,
        volumeMlPerCmOfExtent: 0.8, borderFraction: 0, fractionOutside: 0, components: 1 },
    ]);
  });

  it('fails a volume above the maximum and below the minimum, with the measured ml and the limit', () => {
    const over = checkResult(input(bodyWithLung, [lung({ volumeMl: { max: 1 } })]));
    expect(over.state).toBe('failed');
    expect(over.reasons).toEqual([
      { segment: 'Lung', check: 'volumeMl.max', value: 1.6, limit: 1,
        message: 'Lung: 1.6 ml, above the maximum of 1 ml' },
    ]);
    expect(checkResult(input(bodyWithLung, [body({ volumeMl: { min: 300 } })])).reasons).toEqual([
      { segment: 'Body', check: 'volumeMl.min', value: 5.12, limit: 300,
        message: 'Body: 5.12 ml, below the minimum of 300 ml' },
    ]);
  });

  it('fails the volume per centimetre of scanned length, naming the volume and the length', () => {
    // 1.6 ml over 0.5 cm = 3.2 ml/cm; over 8 cm = 0.2 ml/cm
    expect(checkResult(input(bodyWithLung, [lung({ volumeMlPerCm: { max: 3 } })], { scannedLengthCm: 0.5 })).reasons)
      .toEqual([{
        segment: 'Lung', check: 'volumeMlPerCm.max', value: 3.2, limit: 3,
        message: 'Lung: 3.2 ml per cm of scanned length (1.6 ml over 0.5 cm), above the maximum of 3 ml/cm',
      }]);
    expect(checkResult(input(bodyWithLung, [lung({ volumeMlPerCm: { min: 40 } })], { scannedLengthCm: 8 })).reasons)
      .toEqual([{
        segment: 'Lung', check: 'volumeMlPerCm.min', value: 0.2, limit: 40,
        message: 'Lung: 0.2 ml per cm of scanned length (1.6 ml over 8 cm), below the minimum of 40 ml/cm',
      }]);
  });

  it('fails the volume per centimetre of the length the segment spans, gaps included', () => {
    // The lung block only in slices 2..5: 4 × 8 × 10 = 320 voxels = 0.64 ml over 4 slices of 2 mm = 0.8 cm → 0.8 ml/cm
    const partial = labelMap(DIMS, (s, r, c) => (inBox(s, r, c, [2, 5, 5], [5, 12, 14]) ? 2 : 0));
    const result = checkResult(
      input(partial, [lung({ volumeMlPerCmOfExtent: { min: 1 }, volumeMlPerCm: { min: 0.3 } })]));
    expect(result.reasons).toEqual([{
      segment: 'Lung', check: 'volumeMlPerCmOfExtent.min', value: expect.closeTo(0.8, 12), limit: 1,
      message: 'Lung: 0.8 ml per cm over the 0.8 cm it spans (0.64 ml), below the minimum of 1 ml/cm',
    }]);
    expect(result.measurements[0]).toMatchObject(
      { volumeMlPerCm: expect.closeTo(0.32, 12), extentCm: expect.closeTo(0.8, 12) });
    // Slices 1 and 8 only (2 × 80 voxels = 0.32 ml): it spans slices 1..8 = 1.6 cm → 0.2 ml/cm
    const split = labelMap(DIMS, (s, r, c) => ((s === 1 || s === 8) && inBox(s, r, c, [0, 5, 5], [9, 12, 14]) ? 2 : 0));
    expect(checkResult(input(split, [lung({ volumeMlPerCmOfExtent: { max: 0.1 } })])).reasons).toEqual([{
      segment: 'Lung', check: 'volumeMlPerCmOfExtent.max', value: expect.closeTo(0.2, 12), limit: 0.1,
      message: 'Lung: 0.2 ml per cm over the 1.6 cm it spans (0.32 ml), above the maximum of 0.1 ml/cm',
    }]);
  });

  it('fails an absent segment that has minimums, and passes it when it may be absent', () => {
    const noLung = labelMap(DIMS, (s, r, c) => (inBox(s, r, c, [0, 2, 2], [9, 17, 17]) ? 1 : 0));
    const checks: SegmentChecks = {
      volumeMl: { min: 100 }, volumeMlPerCm: { min: 40 }, volumeMlPerCmOfExtent: { min: 60 },
      maxBorderFraction: 0, maxComponents: 2,
    };
    expect(checkResult(input(noLung, [lung(checks)])).reasons).toEqual([
      { segment: 'Lung', check: 'volumeMl.min', value: 0, limit: 100,
        message: 'Lung: absent (no voxel), but at least 100 ml is expected' },
      { segment: 'Lung', check: 'volumeMlPerCm.min', value: 0, limit: 40,
        message: 'Lung: 0 ml per cm of scanned length (0 ml over 2 cm), below the minimum of 40 ml/cm' },
      { segment: 'Lung', check: 'volumeMlPerCmOfExtent.min', value: 0, limit: 60,
        message: 'Lung: 0 ml per cm (absent), below the minimum of 60 ml/cm' },
    ]);
    expect(checkResult(input(noLung, [lung({ ...checks, mayBeAbsent: true })])).state).toBe('passed');
  });

  it('fails "inside" with the fraction and volume outside the other segment', () => {
    // Lung = values 2 (inside Body) and 3 (outside): the block's columns 12..14 (3 of 10) are value 3:
    // 240 voxels, 0.48 ml, 30 %
    const data = labelMap(DIMS, (s, r, c) =>
      (inBox(s, r, c, [0, 5, 12], [9, 12, 14]) ? 3
        : inBox(s, r, c, [0, 5, 5], [9, 12, 14]) ? 2 : inBox(s, r, c, [0, 2, 2], [9, 17, 11]) ? 1 : 0));
    const result = checkResult(
      input(data, [body(), lung({ inside: { segment: 'Body', maxFractionOutside: 0.01 } }, [2, 3])]));
    expect(result.reasons).toEqual([{
      segment: 'Lung', check: 'inside', value: 0.3, limit: 0.01,
      message: 'Lung: 30 % of its voxels (0.48 ml) lie outside Body, more than the allowed 1 %',
    }]);
    expect(checkResult(input(data, [body(), lung(
      { inside: { segment: 'Body', maxFractionOutside: 0.3 } }, [2, 3])])).state).toBe('passed');
  });

  it('fails a cube touching the image border with the fraction of its voxels on the border', () => {
    // A 10×5×5 cube (250 voxels) in rows 0..4, columns 5..9 of every slice: only row 0 is border,
    // 5 voxels a slice → 50 = 20 %.
    // Its first and last slices are the scan's first and last: they do not count (the scan range is not the border).
    const top = labelMap(DIMS, (s, r, c) => (inBox(s, r, c, [0, 0, 5], [9, 4, 9]) ? 2 : 0));
    expect(checkResult(input(top, [lung({ maxBorderFraction: 0.1 })])).reasons).toEqual([{
      segment: 'Lung', check: 'maxBorderFraction', value: 0.2, limit: 0.1,
      message: 'Lung: 20 % of its voxels lie on the image border (first or last row or column of a slice), more than the allowed 10 %',
    }]);
    // In the corner (rows 0..4, columns 15..19): row 0 gives 5, column 19 rows 1..4 gives 4: 9 a slice →
    // 90 of 250 = 36 %
    const corner = labelMap(DIMS, (s, r, c) => (inBox(s, r, c, [0, 0, 15], [9, 4, 19]) ? 2 : 0));
    const [m] = checkResult(input(corner, [lung({ maxBorderFraction: 0.5 })])).measurements;
    expect(m.borderFraction).toBeCloseTo(0.36, 12);
  });

  it('fails two spheres against a maximum of one component', () => {
    const dims: Dims = [20, 24, 40];
    const data = labelMap(dims, (s, r, c) =>
      (inSphere(s, r, c, [10, 12, 10], 6) || inSphere(s, r, c, [10, 12, 29], 5) ? 2 : 0));
    expect(checkResult(input(data, [lung({ maxComponents: 1 })], { dims })).reasons).toEqual([{
      segment: 'Lung', check: 'maxComponents', value: 2, limit: 1,
      message: 'Lung: 2 separate pieces (3D connected components), more than the allowed 1',
    }]);
    expect(checkResult(input(data, [lung({ maxComponents: 2 })], { dims })).state).toBe('passed');
  });

  it('does not count components smaller than ignoreComponentsBelowMl', () => {
    // The lung block (1.6 ml) plus three isolated single voxels of 0.002 ml each.
    const data = bodyWithLung.slice();
    for (const [s, r, c] of [[0, 0, 0], [5, 0, 19], [9, 19, 0]]) data[c + 20 * (r + 20 * s)] = 2;
    expect(checkResult(input(data, [lung({ maxComponents: 1, ignoreComponentsBelowMl: 0.01 })])).state).toBe('passed');
    expect(checkResult(input(data, [lung({ maxComponents: 1, ignoreComponentsBelowMl: 0.002 })])).reasons).toEqual([{
      segment: 'Lung', check: 'maxComponents', value: 4, limit: 1,
      message: 'Lung: 4 separate pieces (3D connected components of at least 0.002 ml), more than the allowed 1',
    }]);
  });

  it('gives every failing check of every segment its own reason, in manifest order', () => {
    const result = checkResult(input(bodyWithLung, [
      body({ volumeMl: { max: 5 } }),
      lung({ volumeMl: { max: 1 }, volumeMlPerCm: { max: 0.5 }, maxComponents: 1 }),
    ]));
    expect(result.state).toBe('failed');
    expect(result.reasons.map((r) => `${r.segment} ${r.check}`)).toEqual(
      ['Body volumeMl.max', 'Lung volumeMl.max', 'Lung volumeMlPerCm.max']);
  });

  it('refuses a label map that does not fit its dims, and a scanned length that is not positive', () => {
    const checks = [lung({ volumeMl: { max: 1 } })];
    expect(() => checkResult(input(new Uint8Array(10), checks))).toThrow(QcError);
    expect(() => checkResult(input(new Uint8Array(10), checks))).toThrow(
      /^QC_INPUT_INVALID: the label map must be a Uint8Array of 10×20×20 voxels/);
    expect(() => checkResult(input(bodyWithLung, checks, { scannedLengthCm: 0 }))).toThrow(
      /^QC_INPUT_INVALID: scannedLengthCm/);
  });
});
