// ct-body-lung through the real path (manifest, registry, worker pool): Dice on the phantom, sanity on a real CT,
// reproducible build.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import { modelBuilders } from '../../../src/infer/model-builders/build-models.js';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { dice, phantomVolume, realDataDir, repoRoot } from './helpers.js';

const modelsDir = path.join(repoRoot, 'models');

describe('ct-body-lung', () => {
  let registry: ModelRegistry;
  beforeAll(async () => { registry = await loadModelRegistry(modelsDir); });
  afterAll(async () => { await registry.close(); });

  it('is ready on the CPU provider after falling back from CUDA', () => {
    expect(registry.list().find((m) => m.id === 'ct-body-lung')).toMatchObject(
      { state: 'ready', provider: 'cpu', clinical: false });
  });

  it('segments body and lung of the synthetic phantom with Dice ≥ 0.95, table excluded', async () => {
    // In-plane the phantom's physical size of a 512×512 × 0.7 mm scan; 150 mm of it along k to keep the test quick.
    const { volume, phantom } = phantomVolume(200, 200, 60);
    volume.spacing[2] = 2.5;
    volume.affine[10] = 2.5;
    const result = await runModel(registry, 'ct-body-lung', volume);
    const n = volume.data.length;
    const bodyDice = dice((v) => result.labels[v] >= 1,
      (v) => phantom.bodyMask[v] === 1 || phantom.lungMask[v] === 1, n);
    const lungDice = dice((v) => result.labels[v] === 2, (v) => phantom.lungMask[v] === 1, n);
    console.log(`phantom Dice: body ${bodyDice.toFixed(4)}, lung ${lungDice.toFixed(4)}; timings ${JSON.stringify(result.timings)}`);
    expect(bodyDice).toBeGreaterThanOrEqual(0.95);
    expect(lungDice).toBeGreaterThanOrEqual(0.95);
    let tableVoxelsInBody = 0;
    for (let v = 0; v < n; v++) if (volume.data[v] === 150 && result.labels[v] !== 0)
      tableVoxelsInBody++; // 150 HU = table (noise-free)
    expect(tableVoxelsInBody).toBe(0);
  });

  it('keeps the lung of a real CT inside a non-empty body', async () => {
    const dir = path.join(realDataDir, 'dcmqi-ct3');
    const { volume } = await loadSeriesVolume(fs.readdirSync(dir).map((f) => path.join(dir, f)));
    const result = await runModel(registry, 'ct-body-lung', volume);
    const counts = [0, 0, 0];
    let lungOutsideBody = 0;
    result.labels.forEach((label) => { counts[label]++; });
    for (let v = 0; v < volume.data.length; v++) if (result.labels[v] === 2 && volume.data[v] > -400) lungOutsideBody++;
    console.log(
      `real CT ${volume.dims.join('×')}: background ${counts[0]}, body ${counts[1]}, lung ${counts[2]} voxels`);
    expect(counts[2]).toBeGreaterThan(1000);
    expect(counts[1]).toBeGreaterThan(counts[2]);
    expect(counts[0]).toBeGreaterThan(0);
    expect(result.labels.every((label) => label <= 2)).toBe(true);
    expect(lungOutsideBody / counts[2]).toBeLessThan(0.05); // lung labels sit on air-like voxels, not on tissue
    // lung is wrapped in body, never open to outside
    expect(lungVoxelsTouchingBackground(result.labels, volume.dims)).toBe(0);
  });

  it('regenerates byte-identical ONNX files whose sha256 the committed manifests name', () => {
    for (const [id, build] of Object.entries(modelBuilders)) {
      const sha256 = createHash('sha256').update(build()).digest('hex');
      const committed =
        createHash('sha256').update(fs.readFileSync(path.join(modelsDir, id, 'model.onnx'))).digest('hex');
      const manifest =
        JSON.parse(fs.readFileSync(path.join(modelsDir, id, 'model.json'), 'utf8')) as { sha256: string };
      expect(sha256).toBe(committed);
      expect(manifest.sha256).toBe(sha256);
      expect(fs.statSync(path.join(modelsDir, id, 'model.onnx')).size).toBeLessThan(5 * 1024 * 1024);
    }
  });
});

/** Lung voxels with an in-slice 4-neighbour labelled background. */
function lungVoxelsTouchingBackground(labels: Uint8Array, dims: [number, number, number]): number {
  const [ni, nj, nk] = dims;
  let touching = 0;
  for (let k = 0; k < nk; k++) for (let j = 1; j < nj - 1; j++) for (let i = 1; i < ni - 1; i++) {
    const v = i + ni * (j + nj * k);
    if (labels[v] === 2 && (labels[v - 1] === 0 || labels[v + 1] === 0 || labels[v - ni] === 0 || labels[v + ni] === 0))
      touching++;
  }
  return touching;
}
