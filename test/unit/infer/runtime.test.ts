// Worker-pool runtime: the event loop stays free during inference, a timeout fails the run at once and retires its
// worker, bad input is coded.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import type { ModelWorkerPool } from '../../../src/infer/worker-pool.js';
import {
  axialVolume, pointwiseModel, slowModel, temporaryModelsDir, testManifest, writeModelFolder
} from './helpers.js';

function randomVolume(dims: [number, number, number]) {
  const values = Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, v) => Math.sin(v * 12.9898) * 100);
  return axialVolume(dims, [1, 1, 1], values);
}

describe('inference runtime', () => {
  let registry: ModelRegistry;
  let modelsDir: string;

  beforeAll(async () => {
    modelsDir = temporaryModelsDir();
    writeModelFolder(modelsDir, testManifest('slow', { timeoutMs: 300, maxConcurrent: 1 }), slowModel());
    writeModelFolder(modelsDir, testManifest('slow-patient', { timeoutMs: 60_000 }), slowModel());
    const windows =
      { mode: 'slidingWindow' as const, roi: [16, 16, 16] as [number, number, number], overlap: 0, batch: 1 };
    writeModelFolder(modelsDir, testManifest('slow-windows', { timeoutMs: 300, inference: windows }), slowModel());
    writeModelFolder(modelsDir, testManifest('pointwise', { maxConcurrent: 2 }), pointwiseModel());
    registry = await loadModelRegistry(modelsDir);
  });
  afterAll(async () => { await registry.close(); fs.rmSync(modelsDir, { recursive: true, force: true }); });

  it('keeps the main event loop responsive during a long inference', async () => {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const result = await runModel(registry, 'slow-patient', randomVolume([112, 112, 112]));
    histogram.disable();
    const p99Ms = histogram.percentile(99) / 1e6;
    console.log(`event-loop delay during ${result.timings.totalMs.toFixed(0)} ms of inference: p99 ${p99Ms.toFixed(1)} ms, max ${(histogram.max / 1e6).toFixed(1)} ms`);
    expect(result.timings.inferenceMs).toBeGreaterThan(500); // long enough for the measurement to mean something
    expect(p99Ms).toBeLessThan(50);
  });

  // Terminating a worker inside onnxruntime's native run aborts the process ('terminate called after throwing an
  // instance of Napi::Error'); the pool fails the run at once and ends the worker only once the run has returned.
  it('fails a run that exceeds timeoutMs with MODEL_TIMEOUT, and the pool keeps working', async () => {
    const pool = (registry.get('slow')!.backend as unknown as { pool: ModelWorkerPool }).pool;
    const started = Date.now();
    await expect(runModel(registry, 'slow', randomVolume([80, 80, 80]))).rejects.toMatchObject(
      { code: 'MODEL_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(pool.drainingCount).toBe(1); // its native run is still going
    const small = randomVolume([4, 4, 4]);
    const result = await runModel(registry, 'slow', small);
    expect(result.labels.length).toBe(64);
    expect(registry.list().find((m) => m.id === 'slow')!.state).toBe('ready');
    const deadline = Date.now() + 60_000;
    while (pool.drainingCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(pool.drainingCount).toBe(0); // ended once its run returned
    expect(pool.workerCount).toBe(1);
  });

  it('stops a timed-out sliding-window run at its next patch instead of running every remaining patch', async () => {
    const pool = (registry.get('slow-windows')!.backend as unknown as { pool: ModelWorkerPool }).pool;
    const volume = randomVolume([96, 96, 96]); // 216 patches of 16³
    const started = Date.now();
    await expect(runModel(registry, 'slow-windows', volume)).rejects.toMatchObject({ code: 'MODEL_TIMEOUT' });
    const timedOutAfter = Date.now() - started;
    while (pool.drainingCount > 0) await new Promise((r) => setTimeout(r, 10));
    const drainedAfter = Date.now() - started - timedOutAfter;
    // A 16³ patch takes a few ms here; the whole volume, like the 112³ run above, seconds.
    const whole = await runModel(registry, 'slow-patient', volume);
    console.log(`timed out after ${timedOutAfter} ms, drained ${drainedAfter} ms later; the whole volume takes ${whole.timings.inferenceMs.toFixed(0)} ms`);
    expect(drainedAfter).toBeLessThan(whole.timings.inferenceMs / 4);
  });

  it('runs concurrent requests up to maxConcurrent and answers each with its own labels', async () => {
    const volumes = [1, 2, 3, 4].map((n) =>
      axialVolume([n, 2, 2], [1, 1, 1], Array.from({ length: n * 4 }, (_, v) => (v % n === 0 ? 5 : -5))));
    const results = await Promise.all(volumes.map((v) => runModel(registry, 'pointwise', v)));
    results.forEach((r, n) =>
      expect(Array.from(r.labels)).toEqual(Array.from(volumes[n].data, (x) => (x > 0 ? 1 : 0))));
    expect((registry.get('pointwise')!.backend as unknown as
      { pool: ModelWorkerPool }).pool.workerCount).toBeLessThanOrEqual(2);
  });

  it('copies a volume that is not on shared memory and still returns correct labels', async () => {
    const data = Float32Array.from([3, -3, 0.5, -0.5]);
    const result = await runModel(registry, 'pointwise',
      { dims: [2, 2, 1], spacing: [1, 1, 1], affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], data });
    expect(Array.from(result.labels)).toEqual([1, 0, 1, 0]);
  });

  it('refuses an inconsistent volume with INVALID_VOLUME instead of crashing', async () => {
    const volume = randomVolume([4, 4, 4]);
    await expect(runModel(registry, 'pointwise', { ...volume, dims: [4, 4, 5] })).rejects.toMatchObject(
      { code: 'INVALID_VOLUME' });
    await expect(runModel(registry, 'pointwise', { ...volume, spacing: [1, 0, 1] })).rejects.toMatchObject(
      { code: 'INVALID_VOLUME' });
    const degenerate = { ...volume, affine: [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }; // i and j both along x
    await expect(runModel(registry, 'pointwise', degenerate)).rejects.toMatchObject({ code: 'INVALID_VOLUME' });
  });
});
