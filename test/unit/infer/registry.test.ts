// Registry: bad models are refused with a coded, path-naming reason while good ones load; CUDA falls back to CPU.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import { OnnxGraph } from '../../../src/infer/model-builders/onnx-graph.js';
import type { ModelWorkerPool } from '../../../src/infer/worker-pool.js';
import { axialVolume, pointwiseModel, temporaryModelsDir, testManifest, writeModelFolder } from './helpers.js';

/** A valid model whose only input is a rank-4 tensor (one rank short of what the manifest promises). */
function rank4Model(): Uint8Array {
  const g = new OnnxGraph('rank4');
  const x = g.input('image', ['N', 1, 'H', 'W']);
  g.output('scores', g.node('Concat', [g.node('Neg', [x]), x], { axis: 1 }), ['N', 2, 'H', 'W']);
  return g.toBytes('rank 4');
}

/** A readable ONNX file with the manifest's signature that onnxruntime still cannot open: an operator it lacks. */
function unknownOpModel(): Uint8Array {
  const g = new OnnxGraph('unknown-op');
  const x = g.input('image', ['N', 1, 'D', 'H', 'W']);
  g.output('scores', g.node('NoSuchOperator', [x]), ['N', 2, 'D', 'H', 'W']);
  return g.toBytes('unknown operator');
}

describe('model registry', () => {
  let registry: ModelRegistry;
  const warnings: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  let modelsDir: string;

  beforeAll(async () => {
    modelsDir = temporaryModelsDir();
    writeModelFolder(modelsDir, testManifest('good', { executionProviders: ['cuda', 'cpu'] }), pointwiseModel());
    writeModelFolder(modelsDir, testManifest('wrong-input-name',
      { inputs: [{ name: 'ct', dtype: 'float32', shape: ['N', 1, 'D', 'H', 'W'] }] }), pointwiseModel());
    writeModelFolder(modelsDir, testManifest('wrong-rank'), rank4Model());
    writeModelFolder(modelsDir, testManifest('unknown-op'), unknownOpModel());
    writeModelFolder(modelsDir, testManifest('wrong-sha'), pointwiseModel(), 'ab'.repeat(32));
    writeModelFolder(modelsDir, { ...testManifest('bad-manifest'), timeoutMs: -5, segments: [] } , pointwiseModel());
    fs.mkdirSync(path.join(modelsDir, 'not-json'));
    fs.writeFileSync(path.join(modelsDir, 'not-json', 'model.json'), '{ "id": ');
    registry = await loadModelRegistry(modelsDir, {
      log: { info() {}, error() {}, warn: (event, fields) => warnings.push({ event, fields }) },
    });
  });
  afterAll(async () => { await registry.close(); fs.rmSync(modelsDir, { recursive: true, force: true }); });

  const row = (id: string) => registry.list().find((m) => m.id === id)!;

  it('loads the good model while refusing the others', () => {
    expect(registry.list().map((m) => [m.id, m.state])).toEqual([
      ['bad-manifest', 'refused'], ['good', 'ready'], ['not-json', 'refused'], ['unknown-op', 'refused'],
      ['wrong-input-name', 'refused'], ['wrong-rank', 'refused'], ['wrong-sha', 'refused'],
    ]);
  });

  it('names a wrong input name with the names the ONNX file really has', () => {
    expect(row('wrong-input-name').error).toMatch(
      /^MODEL_IO_MISMATCH: .*\/inputs\/0\/name: "ct" is not in model.onnx \(it has "image"\)/);
  });

  it('names a wrong rank', () => {
    expect(row('wrong-rank').error).toMatch(
      /^MODEL_IO_MISMATCH: .*\/inputs\/0\/shape: manifest rank 5, model.onnx rank 4/);
  });

  it('refuses at start-up a model onnxruntime cannot open, with its reason', () => {
    expect(row('unknown-op').error).toMatch(
      /^MODEL_LOAD_FAILED: model unknown-op: no execution provider could open the model: cpu: .*NoSuchOperator/);
  });

  it('refuses a model.onnx whose sha256 differs from the manifest', () => {
    expect(row('wrong-sha').error).toMatch(
      /^MODEL_SHA256_MISMATCH: model.onnx has sha256 [0-9a-f]{64}, the manifest says (ab){32}/);
  });

  it('reports every schema error with its JSON path', () => {
    expect(row('bad-manifest').error).toMatch(/^MANIFEST_INVALID: /);
    expect(row('bad-manifest').error).toContain('/timeoutMs: must be >= 1');
    expect(row('bad-manifest').error).toContain('/segments: must NOT have fewer than 1 items');
    expect(row('not-json').error).toMatch(/^MANIFEST_INVALID: .*model.json/);
  });

  it('starts no worker until the first run: the provider comes from a start-up probe in a child process', async () => {
    const pool = (registry.get('good')!.backend as unknown as { pool: ModelWorkerPool }).pool;
    expect(pool.workerCount).toBe(0);
    expect(row('good').provider).toBe('cpu');
    const volume = axialVolume([2, 2, 2], [1, 1, 1], [1, -1, 1, -1, 1, -1, 1, -1]);
    const first = await runModel(registry, 'good', volume);
    const second = await runModel(registry, 'good', volume);
    console.log(`first run ${first.timings.totalMs.toFixed(0)} ms (starts the worker), second ${second.timings.totalMs.toFixed(0)} ms`);
    expect(pool.workerCount).toBe(1);
    expect(Array.from(first.labels)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    // the probe and the first worker both fell back from cuda: said once
    expect(warnings.filter((w) =>
      w.event === 'model.provider.fallback' && w.fields?.modelId === 'good')).toHaveLength(1);
  });

  it('falls back from cuda to cpu, logs why, and reports the provider really used', async () => {
    expect(row('good').provider).toBe('cpu'); // this onnxruntime-node build has no CUDA libraries (.npmrc skips them)
    expect(warnings.some((w) => w.event === 'model.provider.fallback' && w.fields?.provider === 'cuda')).toBe(true);
    const volume = axialVolume([4, 3, 2], [1, 1, 1],
      [-1, 2, -3, 4, -5, 6, 7, -8, 9, -10, 11, -12, 1, 1, -1, -1, 2, 2, -2, -2, 3, -3, 3, -3]);
    const result = await runModel(registry, 'good', volume);
    expect(result.provider).toBe('cpu');
    expect(Array.from(result.labels)).toEqual(Array.from(volume.data, (v) => (v > 0 ? 1 : 0)));
  });

  it('rejects runs of refused or unknown models with a code', async () => {
    const volume = axialVolume([1, 1, 1], [1, 1, 1], [0]);
    await expect(runModel(registry, 'wrong-sha', volume)).rejects.toMatchObject({ code: 'MODEL_NOT_READY' });
    await expect(runModel(registry, 'nope', volume)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
