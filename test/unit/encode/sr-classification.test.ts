// Classification SR (TID 1500 / 1501): one group per finding with Present or Absent at the operating point, the
// score and the operating point; image-level findings reference their image, per-slice ones the slices where present.
// Judged by dciodvfy and pixelmed's DicomSRValidator, read back by pydicom.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeClassificationReport, type ClassifiedImage } from '../../../src/encode/index.js';
import { operatingPoint } from '../../../src/encode/sr-classification.js';
import { loadImageFrame } from '../../../src/infer/image2d/load.js';
import { writeSyntheticRadiograph } from '../../../src/synthetic/index.js';
import { readSrGroups } from '../../support/sr-findings.js';
import { algorithm, dciodvfy, job, pixelmedSr, tempDir, writeTemp } from './fixtures.js';

const dir = tempDir('sr-cls');
const frontal = { scheme: 'SCT', value: '399033003', meaning: 'frontal' };
const lateral = { scheme: 'SCT', value: '399067008', meaning: 'lateral' };

async function sources(n: number) {
  const study = { studyInstanceUid: '2.25.4242', seriesInstanceUid: '2.25.4243' };
  return Promise.all(Array.from({ length: n }, async (_, k) => {
    const r = await writeSyntheticRadiograph(path.join(dir, `src-${k}.dcm`), { ...study, instanceNumber: k + 1 });
    const { dataset } = await loadImageFrame(r.file);
    return { sopInstanceUid: r.sopInstanceUid, sopClassUid: r.sopClassUid, dataset };
  }));
}

function validate(file: string): void {
  expect(dciodvfy(file).errors).toEqual([]);
  const out = pixelmedSr([file]);
  expect(out).toContain('Found Root Template TID_1500');
  expect(out.split('\n').filter((l) => /^Error/.test(l))).toEqual([]);
}

describe('classification SR', () => {
  it('image level: Present at or above the operating point, Absent below (not omitted), each group on its image', async () => {
    const src = await sources(2);
    const images: ClassifiedImage[] = src.map((s, k) => ({
      sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid,
      findings: [{ code: frontal, score: k === 0 ? 0.97 : 0.5, threshold: 0.5, present: true },
        { code: lateral, score: k === 0 ? 0.03 : 0.5, threshold: 0.7, present: false }],
    }));
    const sr = encodeClassificationReport({ sources: src, images, scope: 'image', algorithm, job });
    const file = writeTemp(dir, 'image.dcm', sr.bytes);
    validate(file);
    const groups = readSrGroups(file);
    expect(groups).toHaveLength(4);
    expect(groups.map((g) =>
      [g.template, g.tracking, g.finding, g.evaluations[g.finding!], g.nums['111012']])).toEqual([
      ['1501', 'frontal (image 1)', '399033003', '52101004', 0.97],
      ['1501', 'lateral (image 1)', '399067008', '2667000', 0.03],
      ['1501', 'frontal (image 2)', '399033003', '52101004', 0.5],
      ['1501', 'lateral (image 2)', '399067008', '2667000', 0.5],
    ]);
    expect(groups.map((g) => g.images)).toEqual([[[src[0]!.sopInstanceUid, null]], [[src[0]!.sopInstanceUid, null]],
      [[src[1]!.sopInstanceUid, null]], [[src[1]!.sopInstanceUid, null]]]);
    expect(groups[1]!.texts['111002']).toEqual(['operating point 0.7: Present when the score is at least 0.7']);
    expect(groups[0]!.texts['111003']).toEqual([algorithm.version]);
  });

  it('per slice: one group per class with the highest score and the slices where it is present', async () => {
    const src = await sources(3);
    const present = [true, false, true];
    const images: ClassifiedImage[] = src.map((s, k) => ({
      sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid,
      findings: [{ code: frontal, score: [0.8, 0.1, 0.9][k]!, threshold: 0.5, present: present[k]! },
        { code: lateral, score: 0.2, threshold: 0.5, present: false }],
    }));
    const file = writeTemp(dir, 'slices.dcm',
      encodeClassificationReport({ sources: src, images, scope: 'perSlice', algorithm, job }).bytes);
    validate(file);
    const groups = readSrGroups(file);
    expect(groups.map((g) => [g.tracking, g.evaluations[g.finding!], g.nums['111012']])).toEqual([
      ['frontal', '52101004', 0.9], ['lateral', '2667000', 0.2],
    ]);
    expect(groups[0]!.images).toEqual([[src[0]!.sopInstanceUid, null], [src[2]!.sopInstanceUid, null]]);
    expect(groups[1]!.images).toEqual([]);
  });

  it('refuses a report without images or with a score that is not a number', async () => {
    const src = await sources(1);
    expect(() =>
      encodeClassificationReport({ sources: src, images: [], scope: 'image', algorithm, job })).toThrow(/ENC_FINDINGS/);
    const images = [{ ...src[0]!, findings: [{ code: frontal, score: Number.NaN, threshold: 0.5, present: false }] }];
    expect(() =>
      encodeClassificationReport({ sources: src, images, scope: 'image', algorithm, job })).toThrow(/ENC_FINDINGS/);
    expect(operatingPoint(0.25)).toBe('operating point 0.25: Present when the score is at least 0.25');
  });
});
