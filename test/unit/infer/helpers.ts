// Shared test helpers for the inference tests: volumes from the synthetic phantom, Dice, repo paths, tiny ONNX models.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { phantomHu } from '../../../src/synthetic/index.js';
import type { Volume } from '../../../src/infer/volume/types.js';
import type { ModelManifest } from '../../../src/infer/manifest.js';
import { OnnxGraph } from '../../../src/infer/model-builders/onnx-graph.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const realDataDir = path.resolve(repoRoot, '../shared/testdata/real');

/** An axial volume on shared memory: i → L, j → P, k → S, origin at 0. */
export function axialVolume(dims: [number, number, number], spacing: [number, number, number],
  values: ArrayLike<number>): Volume {
  const data = new Float32Array(new SharedArrayBuffer(values.length * 4));
  data.set(values);
  const [si, sj, sk] = spacing;
  return { dims, spacing, affine: [si, 0, 0, 0, 0, sj, 0, 0, 0, 0, sk, 0, 0, 0, 0, 1], data };
}

/** The phantom at reduced size but the same physical extent as the default 512×512×300 at 0.7 × 0.7 × 1 mm. */
export function phantomVolume(columns: number, rows: number, slices: number) {
  const phantom = phantomHu({ columns, rows, slices });
  const spacing: [number, number, number] = [(512 * 0.7) / columns, (512 * 0.7) / rows, 300 / slices];
  return { volume: axialVolume(phantom.dims, spacing, phantom.hu), phantom };
}

export function dice(predicted: (v: number) => boolean, truth: (v: number) => boolean, voxels: number): number {
  let both = 0, p = 0, t = 0;
  for (let v = 0; v < voxels; v++) {
    const a = predicted(v), b = truth(v);
    if (a) p++;
    if (b) t++;
    if (a && b) both++;
  }
  return (2 * both) / (p + t);
}

/** Writes a model folder (manifest + ONNX bytes, sha256 filled in unless given) into `modelsDir`. */
export function writeModelFolder(modelsDir: string, manifest: ModelManifest, onnx: Uint8Array, sha256?: string): void {
  const folder = path.join(modelsDir, manifest.id);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'model.onnx'), onnx);
  const hash = sha256 ?? createHash('sha256').update(onnx).digest('hex');
  fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify({ ...manifest, sha256: hash }, null, 2));
}

export function temporaryModelsDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'infer-models-'));
}

/** A manifest for a pointwise test model: input "image", output "scores" with 2 channels, argmax. */
export function testManifest(id: string, overrides: Partial<ModelManifest> = {}): ModelManifest {
  return {
    id, version: '0.0.1', sha256: '0'.repeat(64), description: `test model ${id}`, intendedUse: 'tests',
    clinical: false, task: 'segmentation', input: { kind: 'volume' },
    applicability: { modalities: ['CT'] },
    inputs: [{ name: 'image', dtype: 'float32', shape: ['N', 1, 'D', 'H', 'W'] }],
    outputs: [{ name: 'scores', dtype: 'float32', shape: ['N', 2, 'D', 'H', 'W'], kind: 'logits' }],
    preprocessing: { spatialAxes: 'kji', orientation: 'LPS', targetSpacing: null, interpolation: 'trilinear',
      intensity: [] },
    inference: { mode: 'whole' },
    executionProviders: ['cpu'], timeoutMs: 30_000, maxConcurrent: 1, intraOpNumThreads: 1,
    postprocessing: { activation: 'softmax', discretize: 'argmax' },
    segments: [{
      labelValues: [1], label: 'Positive',
      category: { scheme: 'SCT', value: '91723000', meaning: 'Anatomical structure' },
      type: { scheme: 'SCT', value: '38266002', meaning: 'Entire body' }, colorRgb: [255, 0, 0],
      measurements: ['volume'],
    }],
    algorithm: { name: id, version: '0.0.1',
      family: { scheme: 'DCM', value: '123110', meaning: 'Artificial Intelligence' } },
    ...overrides,
  };
}

/** Pointwise test network: channel 0 = −x, channel 1 = x (argmax → 1 where x > 0); any batch and patch size. */
export function pointwiseModel(): Uint8Array {
  const g = new OnnxGraph('pointwise');
  const x = g.input('image', ['N', 1, 'D', 'H', 'W']);
  const scores = g.node('Concat', [g.node('Neg', [x]), x], { axis: 1 });
  g.output('scores', scores, ['N', 2, 'D', 'H', 'W']);
  return g.toBytes('pointwise test model');
}

/** A deliberately slow network: a chain of 3×3×3 convolutions over 8 channels, output 2 channels. */
export function slowModel(layers = 12): Uint8Array {
  const g = new OnnxGraph('slow');
  const x = g.input('image', ['N', 1, 'D', 'H', 'W']);
  const conv = (input: string, cin: number, cout: number) =>
    g.node('Conv', [input, g.floats(new Float32Array(cout * cin * 27).fill(1 / (cin * 27)), [cout, cin, 3, 3, 3])],
      { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] });
  let y = conv(x, 1, 8);
  for (let l = 0; l < layers; l++) y = conv(y, 8, 8);
  g.output('scores', conv(y, 8, 2), ['N', 2, 'D', 'H', 'W']);
  return g.toBytes('slow test model');
}
