// Enhanced multi-frame: a Legacy Converted Enhanced CT made by pixelmed (a real peer) from a synthetic series
// loads to the same volume as the single-frame series, with positions and rescale from the functional groups.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeriesVolume, type LoadedSeries } from '../../../src/infer/volume/index.js';
import { writeSyntheticCtSeries, type SyntheticSeries } from '../../../src/synthetic/index.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir('enhanced');
let single: SyntheticSeries;
let multiFrameFile: string;

beforeAll(async () => {
  single = await writeSyntheticCtSeries(path.join(tmp.dir, 'single'),
    { slices: 5, rows: 20, columns: 24, sliceSpacing: 1.5, shuffle: true, reverse: true });
  const out = path.join(tmp.dir, 'enhanced');
  execFileSync('mkdir', ['-p', out]);
  execFileSync('java', ['-cp', '/usr/share/java/pixelmed.jar', 'com.pixelmed.dicom.MultiFrameImageFactory',
    path.join(tmp.dir, 'single'), out], {
    stdio: 'pipe',
  });
  const produced = readdirSync(out);
  expect(produced).toHaveLength(1);
  multiFrameFile = path.join(out, produced[0]!);
}, 120_000);
afterAll(() => tmp.remove());

describe('enhanced multi-frame', () => {
  let enhanced: LoadedSeries;
  let reference: LoadedSeries;
  beforeAll(async () => {
    enhanced = await loadSeriesVolume([multiFrameFile]);
    reference = await loadSeriesVolume(single.files);
  });

  it('gives one SliceHeader per frame with a 1-based frame number and the flattened plane position', () => {
    expect(enhanced.slices).toHaveLength(5);
    expect(enhanced.slices[0]!.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.2.2'); // Legacy Converted Enhanced CT
    expect(new Set(enhanced.slices.map((s) => s.frameNumber))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(enhanced.slices.map((s) => (s.dataset.ImagePositionPatient as number[])[2])).toEqual(
      [-6, -4.5, -3, -1.5, 0]);
  });

  it('has the same geometry and HU as the single-frame series (rescale from PixelValueTransformationSequence)', () => {
    expect(enhanced.volume.dims).toEqual(reference.volume.dims);
    enhanced.volume.spacing.forEach((x, n) => expect(x).toBeCloseTo(reference.volume.spacing[n]!, 6));
    enhanced.volume.affine.forEach((x, n) => expect(x).toBeCloseTo(reference.volume.affine[n]!, 6));
    expect(Array.from(enhanced.volume.data)).toEqual(Array.from(reference.volume.data));
    // air, so the −1024 intercept was applied
    expect(enhanced.volume.data.reduce((m, x) => Math.min(m, x), Infinity)).toBe(-1000);
  });
});
