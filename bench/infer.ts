// Inference benchmark (npm run bench:infer): series load, ct-body-lung on a 300×512×512 CT, U-Net per 96³ patch, overhead and memory.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { loadModelRegistry, runModel, shutdown, type ModelRegistry } from '../src/infer/index.js';
import type { Volume } from '../src/infer/volume/types.js';
import { phantomHu } from '../src/synthetic/index.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

async function main(): Promise<void> {
  console.log('inference benchmark (figures from a shared machine vary between runs)');
  await benchSeriesLoadIfPresent();
  const registry = await loadModelRegistry(path.join(projectRoot(), 'models'));
  console.table(registry.list().map(({ id, state, provider }) => ({ id, state, provider })));
  try {
    await benchBodyLung(registry);
    await benchUnet(registry);
  } finally {
    await shutdown(registry);
  }
}

/** TODO(volume helper): bench/series-load.ts is written by the series→volume helper; until then this step is skipped. */
async function benchSeriesLoadIfPresent(): Promise<void> {
  const modulePath = './series-load.js'; // a variable, so the build does not fail while the file is missing
  try {
    const { benchSeriesLoad } = (await import(modulePath)) as { benchSeriesLoad: (opts?: { slices?: number }) => Promise<unknown> };
    console.log('series load (300 slices):', await benchSeriesLoad({ slices: 300 }));
  } catch (error) {
    console.log(`series load: skipped (bench/series-load.ts not available: ${(error as Error).message.split('\n')[0]})`);
  }
}

async function benchBodyLung(registry: ModelRegistry): Promise<void> {
  const dims: [number, number, number] = [512, 512, 300];
  let volume: Volume | undefined = phantomVolume(dims, [0.7, 0.7, 1]);
  collectGarbage(); // drop the phantom's Int16 copy and masks so the memory figure is the run's own
  const volumeMb = volume.data.byteLength / MB;
  const before = process.memoryUsage().rss / MB;
  const { result, peakRssMb } = await sampledPeakRss(() => runModel(registry, 'ct-body-lung', volume!));
  const t = result.timings;
  const overhead = t.totalMs - t.inferenceMs;
  console.log(`\nct-body-lung on ${dims.join('×')} (${volumeMb.toFixed(0)} MB float32), provider ${result.provider}`);
  console.log(`  preprocess ${t.preprocessMs.toFixed(0)} ms | onnxruntime ${t.inferenceMs.toFixed(0)} ms | windowing ${t.windowingMs.toFixed(0)} ms | postprocess ${t.postprocessMs.toFixed(0)} ms | total ${t.totalMs.toFixed(0)} ms`);
  console.log(`  node overhead ${overhead.toFixed(0)} ms = ${((100 * overhead) / t.inferenceMs).toFixed(0)} % of onnxruntime time`);
  console.log(`  RSS before run ${before.toFixed(0)} MB, peak during run ${peakRssMb.toFixed(0)} MB = ${(peakRssMb / volumeMb).toFixed(2)}× the volume (target ≤ 3×); process high-water ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (includes phantom generation)`);
  volume = undefined;
  collectGarbage();
}

async function benchUnet(registry: ModelRegistry): Promise<void> {
  const dims: [number, number, number] = [144, 144, 96]; // at 1.5 mm: 2 × 2 × 1 windows of 96³ with 25 % overlap
  const volume = phantomVolume(dims, [1.5, 1.5, 1.5]);
  await runModel(registry, 'unet3d-bench', volume); // warm-up: first-run allocations are not steady state
  const result = await runModel(registry, 'unet3d-bench', volume);
  const t = result.timings;
  const patches = 4;
  const overhead = t.totalMs - t.inferenceMs;
  console.log(`\nunet3d-bench on ${dims.join('×')} at 1.5 mm: ${patches} patches of 96³, provider ${result.provider}`);
  console.log(`  per patch: onnxruntime ${(t.inferenceMs / patches).toFixed(0)} ms, node overhead ${(overhead / patches).toFixed(0)} ms`);
  console.log(`  preprocess ${t.preprocessMs.toFixed(0)} ms | windowing+blending ${t.windowingMs.toFixed(0)} ms | postprocess ${t.postprocessMs.toFixed(0)} ms | messaging ${(t.totalMs - t.preprocessMs - t.inferenceMs - t.windowingMs - t.postprocessMs).toFixed(0)} ms`);
  console.log(`  onnxruntime : node overhead = ${(t.inferenceMs / overhead).toFixed(1)} : 1; overhead ${((100 * overhead) / t.inferenceMs).toFixed(1)} % of model run time (target ≤ 25 %)`);
}

function phantomVolume(dims: [number, number, number], spacing: [number, number, number]): Volume {
  const phantom = phantomHu({ columns: dims[0], rows: dims[1], slices: dims[2] });
  const data = new Float32Array(new SharedArrayBuffer(phantom.hu.length * 4));
  data.set(phantom.hu);
  return { dims, spacing, affine: [spacing[0], 0, 0, 0, 0, spacing[1], 0, 0, 0, 0, spacing[2], 0, 0, 0, 0, 1], data };
}

/** Samples the process RSS (main thread and all workers) every 10 ms while `run` is in flight. */
async function sampledPeakRss<T>(run: () => Promise<T>): Promise<{ result: T; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 10);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakRssMb: peak / MB };
  } finally {
    clearInterval(timer);
  }
}

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
