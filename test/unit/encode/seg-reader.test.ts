// readSegmentation on SEGs written by others (dcmqi, highdicom): voxel counts and source slices must match what
// pydicom unpacks from the same files, and masks must land on the slice each frame references.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { readSegmentation } from '../../../src/encode/seg-reader.js';
import { EncodeError } from '../../../src/encode/errors.js';
import { loadSeries, pydicomFrameCounts, realData, readNatural } from './fixtures.js';

const cases: Array<[string, string, string[] | undefined]> = [
  ['dcmqi liver (3 frames, OB, explicit VR)', 'dcmqi-seg-sr/liver-seg.dcm', undefined],
  ['dcmqi partial overlaps (5 segments, 7 frames)', 'dcmqi-seg-sr/partial-overlaps-seg.dcm', undefined],
  ['highdicom binary (16×16, implicit VR, OW)', 'highdicom/seg_image_ct_binary.dcm',
    ['CT2_17106', 'CT2_17136', 'CT2_17166', 'CT2_17196']],
  ['highdicom binary overlap (2 segments, 8 frames)', 'highdicom/seg_image_ct_binary_overlap.dcm',
    ['CT2_17106', 'CT2_17136', 'CT2_17166', 'CT2_17196']],
];

describe.each(cases)('%s', (_name, file, ctNames) => {
  const segPath = path.join(realData, file);
  const ct =
    ctNames ? loadSeries(path.join(realData, 'highdicom'), ctNames) : loadSeries(path.join(realData, 'dcmqi-ct3'));
  const frames = pydicomFrameCounts(segPath);   // independent: numpy unpackbits(bitorder='little')

  it('finds per segment the voxels pydicom finds, on the slices the frames reference', () => {
    const { masks, segments } = readSegmentation(new Uint8Array(fs.readFileSync(segPath)), ct.sources);
    const plane = ct.cols * ct.rows;
    for (const s of segments) {
      const mask = masks.get(s.number);
      const expectedPerSlice = ct.sources.map(() => 0);
      for (const f of frames.filter((fr) => fr.segment === s.number)) {
        const slice = ct.sources.findIndex((src) => src.sopInstanceUid === f.sop);
        expect(slice).toBeGreaterThanOrEqual(0);
        expectedPerSlice[slice] += f.count;
      }
      const perSlice = ct.sources.map((_, k) =>
        (mask ? mask.subarray(k * plane, (k + 1) * plane).reduce((a, b) => a + b, 0) : 0));
      expect(perSlice).toEqual(expectedPerSlice);
    }
    expect(frames.reduce((n, f) => n + f.count, 0)).toBeGreaterThan(0);
  });

  it('lists the segments of the SegmentSequence with label and codes', () => {
    const { segments } = readSegmentation(new Uint8Array(fs.readFileSync(segPath)));
    const natural = readNatural(segPath).SegmentSequence as Array<Record<string, unknown>>;
    expect(segments.map((s) => s.label)).toEqual(natural.map((item) => item.SegmentLabel));
    for (const s of segments) expect(s.type.value).not.toBe('');
  });
});

it('matches frames by position when the referenced SOP Instance UIDs are not among the sources', () => {
  const ct = loadSeries(path.join(realData, 'dcmqi-ct3'));
  const renamed = ct.sources.map((s, k) => ({ ...s, sopInstanceUid: `2.25.${k + 1}` }));
  const bytes = new Uint8Array(fs.readFileSync(path.join(realData, 'dcmqi-seg-sr/liver-seg.dcm')));
  const byUid = readSegmentation(bytes, ct.sources).masks.get(1)!;
  const byPosition = readSegmentation(bytes, renamed).masks.get(1)!;
  expect(Buffer.from(byPosition).equals(Buffer.from(byUid))).toBe(true);
});

describe('bad input', () => {
  const code = (fn: () => unknown) => {
    try { fn(); } catch (e) { return (e as EncodeError).code; } return 'no error';
  };

  it('says SEG_READ_PARSE for bytes that are not DICOM and SEG_READ_NOT_SEG for a CT', () => {
    expect(code(() => readSegmentation(new Uint8Array(300)))).toBe('SEG_READ_PARSE');
    expect(code(() => readSegmentation(new Uint8Array(fs.readFileSync(
      path.join(realData, 'dcmqi-ct3/01.dcm')))))).toBe('SEG_READ_NOT_SEG');
  });

  it('says SEG_READ_NO_SOURCE when a frame lies on no given source slice', () => {
    const ct = loadSeries(path.join(realData, 'highdicom'), ['CT2_17106', 'CT2_17136', 'CT2_17166', 'CT2_17196']);
    const shifted = ct.sources.map((s, k) => ({ ...s, sopInstanceUid: `2.25.${k + 1}`,
      dataset: { ...s.dataset,
        ImagePositionPatient: (s.dataset.ImagePositionPatient as number[]).map((v) => v + 5) } }));
    const bytes = new Uint8Array(fs.readFileSync(path.join(realData, 'highdicom/seg_image_ct_binary.dcm')));
    expect(code(() => readSegmentation(bytes, shifted))).toBe('SEG_READ_NO_SOURCE');
  });
});
