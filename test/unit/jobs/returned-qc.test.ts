// The check of a returned SEG, in this thread: dcmqi's liver SEG on its own 3-slice CT. Segments found by label or
// property type code, overlapping qc segments as combinations of one label map (also past 8 segments), and every
// way the check cannot run (no SEG, a SEG that fits no source) failing with a reason instead of passing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReturnedSeg } from '../../../src/jobs/returned-qc.js';
import type { ReturnedSegmentChecks } from '../../../src/route/index.js';
import { testdata } from '../../support/node-process.js';

const segBytes = new Uint8Array(fs.readFileSync(path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm')));
const sourceFiles = ['01', '02', '03'].map((n) => path.join(testdata, `dcmqi-ct3/${n}.dcm`));
/** 107 098 set bits (pydicom + numpy, not the node's reader) × 0.810547² × 1 mm slice step */
const LIVER_ML = (107_098 * 0.810547 ** 2) / 1000;
const LIVER_TYPE = { scheme: 'SRT', value: 'T-62000' };
const check = (...segments: ReturnedSegmentChecks[]) => checkReturnedSeg({ segBytes, sourceFiles, qc: { segments } });

describe('checkReturnedSeg', () => {
  it('measures the liver on the source grid: volume, extent, pieces', () => {
    const { qc, segments } = check({ label: 'Liver', checks: { volumeMl: { min: 70, max: 71 }, maxComponents: 4 } });
    expect(qc.reasons).toEqual([]);
    expect(qc.state).toBe('passed');
    expect(qc.measurements[0])
      .toMatchObject({ segment: 'Liver', voxels: 107_098, extentCm: expect.closeTo(0.3, 9), components: 4 });
    expect(segments)
      .toEqual([{ number: 1, label: 'Liver', voxelCount: 107_098, volumeMl: expect.closeTo(LIVER_ML, 6) }]);
    const scanned = check({ label: 'Liver', checks: { volumeMlPerCm: { max: 200 } } });
    expect(scanned.qc.reasons[0])
      .toMatchObject({ check: 'volumeMlPerCm.max', value: expect.closeTo(LIVER_ML / 0.3, 6) });
  });

  it('matches labels without regard to case or blanks, and a type code whatever the label', () => {
    expect(check({ label: ' LIVER', checks: { volumeMl: { min: 1 } } }).qc.state).toBe('passed');
    expect(check({ label: 'Leber', type: LIVER_TYPE, checks: { volumeMl: { min: 1 } } }).qc.state).toBe('passed');
    const sct = { scheme: 'SCT', value: '10200004' }; // SNOMED CT's liver: this SEG codes it in SRT
    const wrongCode = check({ label: 'Liver', type: sct, checks: { volumeMl: { min: 1 } } });
    expect(wrongCode.qc.reasons.map((r) => [r.check, r.message])).toEqual([
      ['present', 'Liver: the returned SEG has no segment of type SCT 10200004 (it has "Liver")'],
    ]);
  });

  it('places overlapping qc segments in one map: inside holds for a copy, fails against a missing segment', () => {
    const same = check({ label: 'Liver', checks: { inside: { segment: 'B', maxFractionOutside: 0 } } },
      { label: 'B', type: LIVER_TYPE, checks: { volumeMl: { min: 70 } } });
    expect(same.qc.reasons).toEqual([]);
    expect(same.qc.measurements.map((m) => [m.segment, m.voxels, m.fractionOutside]))
      .toEqual([['Liver', 107_098, 0], ['B', 107_098, undefined]]);
    const liverInSpleen = check({ label: 'Liver', checks: { inside: { segment: 'Spleen', maxFractionOutside: 0.5 } } },
      { label: 'Spleen', checks: {} });
    expect(liverInSpleen.qc.reasons.map((r) => [r.segment, r.check, r.value]))
      .toEqual([['Spleen', 'present', 0], ['Liver', 'inside', 1]]);
  });

  it('numbers the combinations that occur past 8 qc segments', () => {
    const copies = Array.from({ length: 9 }, (_, i): ReturnedSegmentChecks =>
      ({ label: `Copy ${i}`, type: LIVER_TYPE, checks: { volumeMl: { min: 70, max: 71 } } }));
    const { qc, segments } = check(...copies, { label: 'Liver', checks: { maxComponents: 4 } });
    expect(qc.reasons).toEqual([]);
    expect(qc.measurements.map((m) => m.voxels)).toEqual(Array(10).fill(107_098));
    expect(segments.map((s) => s.voxelCount)).toEqual(Array(10).fill(107_098));
  });

  it('fails every qc segment when the SEG cannot be placed on the source series, passes none unchecked', () => {
    const oneSlice = checkReturnedSeg({ segBytes, sourceFiles: sourceFiles.slice(0, 1),
      qc: { segments: [{ label: 'Liver', checks: { mayBeAbsent: true } }] } });
    expect(oneSlice.qc.state).toBe('failed');
    expect(oneSlice.qc.reasons[0]!.check).toBe('readable');
    expect(oneSlice.qc.reasons[0]!.message)
      .toMatch(/^Liver: the returned SEG cannot be placed on the source series \(SEG_READ_NO_SOURCE: /);
    const gone = checkReturnedSeg({ segBytes, sourceFiles: [], qc: { segments: [{ label: 'Liver', checks: {} }] } });
    expect(gone.qc.reasons[0]!.message).toBe('Liver: the returned SEG cannot be placed on the source series '
      + '(the source series is not stored any more)');
  });

  it('without a SEG: a segment that may be absent passes, any other fails present', () => {
    const none = checkReturnedSeg({ segBytes: null, sourceFiles, qc: { segments: [
      { label: 'Liver', checks: { volumeMl: { min: 1 } } }, { label: 'Lesion', checks: { mayBeAbsent: true } }] } });
    expect(none.qc.reasons.map((r) => [r.segment, r.check, r.message]))
      .toEqual([['Liver', 'present', 'Liver: the answer holds no SEG (or only a quarantined one)']]);
    expect(checkReturnedSeg({ segBytes: null, sourceFiles, qc: { segments: [
      { label: 'Lesion', checks: { mayBeAbsent: true } }] } }).qc.state).toBe('passed');
  });
});
