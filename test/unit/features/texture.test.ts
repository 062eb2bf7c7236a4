// GLCM, run lengths and discretisation on tiny hand-checked cases.
import { describe, expect, it } from 'vitest';
import { discretise } from '../../../src/features/discretise.js';
import { cooccurrence, glcmFeatures } from '../../../src/features/glcm.js';
import { runLengths } from '../../../src/features/glrlm.js';
import { FeatureError, type DiscretisedVolume, type FeatureInput } from '../../../src/features/types.js';

/** 3×3×3, all in the ROI, grey level by column: x = 0 → 1, x = 1, 2 → 2. */
function columns(): { d: DiscretisedVolume; mask: Uint8Array } {
  const levels = new Uint16Array(27);
  for (let v = 0; v < 27; v++) levels[v] = v % 3 === 0 ? 1 : 2;
  return { d: { levels, greyLevelCount: 2, dims: [3, 3, 3], spacing: [1, 1, 1] }, mask: new Uint8Array(27).fill(1) };
}

describe('GLCM on a 3×3×3 case', () => {
  it('counts pairs symmetrically along x: 9 rows of (1,2) and (2,2)', () => {
    const { d, mask } = columns();
    expect([...cooccurrence(d, mask, [0, 0, 1])]).toEqual([0, 9, 9, 18]);
    expect([...cooccurrence(d, mask, [0, 1, 0])]).toEqual([12, 0, 0, 24]); // along y: the level never changes
  });

  it('merges the 13 directions into M11 = 40, M12 = M21 = 49, M22 = 178 (316 pairs)', () => {
    // directions with |dx| = 1 pair columns (0,1) → (1,2) and (1,2) → (2,2), (3 − |dy|)(3 − |dz|) times each:
    // 9 + 4·6 + 4·4 = 49; directions with dx = 0 pair each column with itself 3·c times, c summing to 6+6+4+4 = 20
    const { d, mask } = columns();
    const f = glcmFeatures(d, mask, ['3D, merged']);
    const value = (id: string) => f.find((x) => x.id === id)!.value;
    expect(value('ACUI')).toBeCloseTo(98 / 316, 12); // contrast: only the (1,2) pairs differ, by 1
    expect(value('60VM')).toBeCloseTo((1 * (40 + 49) + 2 * (49 + 178)) / 316, 12); // joint average
    expect(value('GYBY')).toBeCloseTo(178 / 316, 12); // joint maximum
    expect(value('8ZQL')).toBeCloseTo((40 ** 2 + 2 * 49 ** 2 + 178 ** 2) / 316 ** 2, 12); // angular second moment
  });

  it('averages the directions: contrast 0.5 along x and 0 along y', () => {
    const { d, mask } = columns();
    const averaged = glcmFeatures(d, mask, ['3D, averaged']).find((x) => x.id === 'ACUI')!.value;
    // each direction with |dx| = 1 has contrast 2c / 4c = 1/2; the four with dx = 0 have 0
    expect(averaged).toBeCloseTo((9 * 0.5) / 13, 12);
  });
});

describe('run lengths', () => {
  it('finds runs of 1 and 2 along x, and runs of 3 along y', () => {
    const { d, mask } = columns();
    const alongX = runLengths(d, mask, [0, 0, 1]);
    expect(alongX.counts[0 * alongX.Nj + 0]).toBe(9); // level 1, length 1
    expect(alongX.counts[1 * alongX.Nj + 1]).toBe(9); // level 2, length 2
    const alongY = runLengths(d, mask, [0, 1, 0]);
    expect(alongY.counts[0 * alongY.Nj + 2]).toBe(3); // the 3 y-columns at x = 0 (one per z), each one run of 3
    expect(alongY.counts[1 * alongY.Nj + 2]).toBe(6); // x = 1, 2
    expect(alongY.counts.reduce((s, c) => s + c, 0)).toBe(9);
  });
});

function roi(values: number[]): FeatureInput {
  const n = values.length, mask = new Uint8Array(n).fill(1);
  return { image: Float32Array.from(values), morphMask: mask, intensityMask: mask,
    dims: [1, 1, n], spacing: [1, 1, 1] };
}

describe('discretise', () => {
  it('fixed bin number: the maximum falls in the top bin, not in bin Ng + 1', () => {
    const d = discretise(roi([0, 2.5, 5, 7.5, 10]), { method: 'fixed bin number', bins: 4 });
    expect([...d.levels]).toEqual([1, 2, 3, 4, 4]);
    expect(d.greyLevelCount).toBe(4);
  });

  it('fixed bin number: a constant ROI is all bin 1', () => {
    expect([...discretise(roi([7, 7, 7]), { method: 'fixed bin number', bins: 32 }).levels]).toEqual([1, 1, 1]);
  });

  it('fixed bin size from the re-segmentation lower bound: a value on a bin edge opens the next bin', () => {
    const d = discretise(roi([-1000, -975.1, -975, 400]),
      { method: 'fixed bin size', binWidth: 25, lowerBound: -1000 });
    expect([...d.levels]).toEqual([1, 1, 2, 57]);
    expect(d.greyLevelCount).toBe(57);
  });

  it('fixed bin size without a lower bound starts at the ROI minimum', () => {
    expect([...discretise(roi([10, 12, 14.9, 15]),
      { method: 'fixed bin size', binWidth: 5 }).levels]).toEqual([1, 1, 1, 2]);
  });

  it('refuses a ROI intensity below the lower bound, and too many bins', () => {
    expect(() => discretise(roi([-1200, 0]), { method: 'fixed bin size', binWidth: 25, lowerBound: -1000 }))
      .toThrow(expect.objectContaining({ code: 'FEAT_CONFIG' }));
    expect(() => discretise(roi([0, 1e6]), { method: 'fixed bin size', binWidth: 1 })).toThrow(FeatureError);
  });

  it('ignores voxels outside the intensity mask', () => {
    const input = roi([0, 100, 1000]);
    input.intensityMask = Uint8Array.from([1, 1, 0]);
    expect([...discretise(input, { method: 'fixed bin number', bins: 2 }).levels]).toEqual([1, 2, 0]);
  });
});
