// Sliding-window inference equals whole-volume inference on a pointwise model; window placement and Gaussian weights.
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import {
  gaussianImportance, slidingWindowInference, windowStarts, type PatchInference
} from '../../../src/infer/sliding-window.js';
import { axialVolume, pointwiseModel, temporaryModelsDir, testManifest, writeModelFolder } from './helpers.js';

const dims: [number, number, number] = [37, 29, 23]; // not multiples of the roi, and one axis shorter than it
const values = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, v) =>
  Math.sin(v * 0.37) * 50 + Math.cos(v * 0.011) * 20 + 0.01);

describe('sliding window', () => {
  let registry: ModelRegistry;
  let modelsDir: string;

  beforeAll(async () => {
    modelsDir = temporaryModelsDir();
    writeModelFolder(modelsDir, testManifest('whole'), pointwiseModel());
    const sliding = { mode: 'slidingWindow' as const, roi: [16, 12, 32] as [number, number, number], overlap: 0.5,
      blending: 'gaussian' as const, batch: 3 };
    writeModelFolder(modelsDir, testManifest('sliding', { inference: sliding }), pointwiseModel());
    writeModelFolder(modelsDir, testManifest('sliding-ijk',
      { inference: sliding, preprocessing: { ...testManifest('x').preprocessing, spatialAxes: 'ijk' } }),
      pointwiseModel());
    registry = await loadModelRegistry(modelsDir);
  });
  afterAll(async () => { await registry.close(); fs.rmSync(modelsDir, { recursive: true, force: true }); });

  it('gives the same labels as whole-volume inference on a pointwise model, in both tensor axis orders', async () => {
    const volume = axialVolume(dims, [1, 1, 1], values);
    const whole = await runModel(registry, 'whole', volume);
    const sliding = await runModel(registry, 'sliding', volume);
    const transposed = await runModel(registry, 'sliding-ijk', volume);
    const expected = Array.from(values, (x) => (x > 0 ? 1 : 0)); // the model says 1 where x > 0
    expect(Array.from(whole.labels)).toEqual(expected);
    expect(Array.from(sliding.labels)).toEqual(expected);
    expect(Array.from(transposed.labels)).toEqual(expected);
  });

  it('blends patch outputs back to the pointwise values (in-process, on a real onnxruntime session)', async () => {
    const session = await ort.InferenceSession.create(pointwiseModel());
    const infer: PatchInference = async (batch, size, spatial) => {
      const out = await session.run({ image: new ort.Tensor('float32', batch, [size, 1, ...spatial]) });
      return { data: out.scores.data as Float32Array, channels: 2 };
    };
    const { output, channels } = await slidingWindowInference(values, dims,
      { roi: [16, 16, 16], overlap: 0.25, blending: 'gaussian', batch: 2, spatialAxes: 'kji' }, infer);
    expect(channels).toBe(2);
    const n = values.length;
    let worst = 0;
    for (let v = 0; v < n; v++) worst = Math.max(worst, Math.abs(output[n + v] - values[v]),
      Math.abs(output[v] + values[v]));
    expect(worst).toBeLessThan(1e-3);
    await session.release();
  });

  it('places windows evenly with the last one flush with the end', () => {
    expect(windowStarts(37, 16, 0.5)).toEqual([0, 8, 16, 21]);
    expect(windowStarts(96, 96, 0.25)).toEqual([0]);
    expect(windowStarts(10, 16, 0.25)).toEqual([0]);
    expect(windowStarts(144, 96, 0.25)).toEqual([0, 48]);
  });

  it('weights with a Gaussian of sigma roi/8 centred in the patch', () => {
    const roi: [number, number, number] = [17, 9, 9];
    const w = gaussianImportance(roi);
    const at = (i: number, j: number, k: number) => w[i + roi[0] * (j + roi[1] * k)];
    expect(at(8, 4, 4)).toBeCloseTo(1, 6);
    const sigma = 17 / 8; // one sigma from the centre along i: exp(-1/2)
    expect(at(8 + 2, 4, 4)).toBeCloseTo(Math.exp(-(2 * 2) / (2 * sigma * sigma)), 5);
    expect(at(0, 0, 0)).toBeGreaterThanOrEqual(1e-3);
  });
});
