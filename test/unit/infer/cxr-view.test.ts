// The built-in cxr-view classifier through the registry and its inference worker: synthetic frontal and lateral
// radiographs (portrait 2500×2000, 512², landscape; MONOCHROME1 and 2; DX and CR) get the view they were drawn with,
// the other class reported absent; a batch of slices of a loaded series gives the same findings as the files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runImageModel, type ModelRegistry } from '../../../src/infer/index.js';
import { loadImageFrame } from '../../../src/infer/image2d/load.js';
import { modalityValues } from '../../../src/infer/image2d/grey.js';
import { writeSyntheticRadiograph, type SyntheticRadiographOptions } from '../../../src/synthetic/index.js';
import { repoRoot } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cxr-view-'));
let registry: ModelRegistry;
beforeAll(async () => {
  fs.cpSync(path.join(repoRoot, 'models/cxr-view'), path.join(tmp, 'models/cxr-view'), { recursive: true });
  registry = await loadModelRegistry(path.join(tmp, 'models'));
});
afterAll(async () => { await registry.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

const cases: Array<[string, SyntheticRadiographOptions]> = [
  ['frontal portrait 2500×2000 MONOCHROME2 12-bit', { view: 'frontal', rows: 2500, columns: 2000 }],
  ['lateral portrait 2500×2000 MONOCHROME1 16-bit',
    { view: 'lateral', rows: 2500, columns: 2000, photometric: 'MONOCHROME1', bitsStored: 16 }],
  ['frontal 512² CR MONOCHROME1', { view: 'frontal', kind: 'CR', photometric: 'MONOCHROME1' }],
  ['lateral 512² DX', { view: 'lateral' }],
  ['frontal landscape 1800×2400 with metal',
    { view: 'frontal', rows: 1800, columns: 2400, objects: [{ x0: 600, y0: 500, x1: 700, y1: 560 }] }],
  ['lateral landscape 1800×2400', { view: 'lateral', rows: 1800, columns: 2400, bitsStored: 16 }],
];

describe('cxr-view', () => {
  it('is ready and says what it is', () => {
    const row = registry.list().find((m) => m.id === 'cxr-view')!;
    expect(row).toMatchObject({ state: 'ready', clinical: false });
    expect(registry.get('cxr-view')!.manifest).toMatchObject({ task: 'classification', input: { kind: 'image2d' } });
  });

  it('answers the view each radiograph was drawn with, in one batch, the other class absent', async () => {
    const files = await Promise.all(cases.map(([, o], n) =>
      writeSyntheticRadiograph(path.join(tmp, `case-${n}.dcm`), o)));
    const run = await runImageModel(registry, 'cxr-view',
      { kind: 'frames', frames: files.map((f) => ({ file: f.file })) });
    expect(run.images).toHaveLength(cases.length);
    run.images.forEach((image, n) => {
      const view = cases[n]![1].view;
      const [frontal, lateral] = image.findings!;
      expect(image.sopInstanceUid, cases[n]![0]).toBe(files[n]!.sopInstanceUid);
      expect(frontal!.code.value).toBe('399033003');
      expect([frontal!.present, lateral!.present], cases[n]![0]).toEqual(
        view === 'frontal' ? [true, false] : [false, true]);
      expect(Math.max(frontal!.score, lateral!.score), cases[n]![0]).toBeGreaterThan(0.9);
      expect(frontal!.score + lateral!.score).toBeCloseTo(1, 5); // softmax
      expect(frontal!.threshold).toBe(0.5);
    });
    expect(run.images[0]!.transform).toMatchObject(
      { resize: 'letterbox', sourceRows: 2500, sourceColumns: 2000, inverted: false });
    expect(run.images[1]!.transform.inverted).toBe(true);
    expect(run.images[0]!.transform.spacing).toEqual({ rowMm: 0.15, columnMm: 0.15, source: 'ImagerPixelSpacing' });
  });

  it('slices of a loaded series give the findings the files give', async () => {
    const opts = [{ view: 'frontal' }, { view: 'lateral' }, { view: 'frontal', seed: 9 }] as const;
    const files = await Promise.all(opts.map((o, n) => writeSyntheticRadiograph(path.join(tmp, `slice-${n}.dcm`), o)));
    const frames = await Promise.all(files.map((f) => loadImageFrame(f.file)));
    const data = new Float32Array(512 * 512 * frames.length);
    frames.forEach((f, k) => data.set(modalityValues(f.stored, f.dataset), k * 512 * 512));
    const slices = await runImageModel(registry, 'cxr-view',
      { kind: 'slices', data, rows: 512, columns: 512, datasets: frames.map((f) => f.dataset) });
    const direct = await runImageModel(registry, 'cxr-view',
      { kind: 'frames', frames: files.map((f) => ({ file: f.file })) });
    expect(slices.images.map((i) => i.findings!.map((f) => f.present))).toEqual(
      [[true, false], [false, true], [true, false]]);
    slices.images.forEach((image, k) => {
      expect(image.sopInstanceUid).toBe(files[k]!.sopInstanceUid);
      image.findings!.forEach((f, c) => expect(f.score).toBeCloseTo(direct.images[k]!.findings![c]!.score, 5));
    });
  });
});
