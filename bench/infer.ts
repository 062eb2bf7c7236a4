// Inference benchmark (npm run bench:infer): series load, ct-body-lung on a 300×512×512 CT, U-Net per 96³ patch,
// overhead and memory.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import v8 from 'node:v8';
import { loadModelRegistry, runModel, shutdown, type ModelRegistry } from '../src/infer/index.js';
import type { Volume } from '../src/infer/volume/types.js';
import { phantomHu } from '../src/synthetic/index.js';
import { benchSeriesLoad } from './series-load.js';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

/** Each section runs in its own child process, so its RSS figures are not inflated by the sections before it. */
const sections: Record<string, () => Promise<void>> = {
  'series-load': benchSeriesLoadStep,
  'ct-body-lung': () => withRegistry(benchBodyLung),
  'unet3d-bench': () => withRegistry(benchUnet),
};

async function main(): Promise<void> {
  const section = process.argv[2];
  if (section) return sections[section]!();
  console.log('inference benchmark (figures from a shared 2-core machine vary between runs)');
  for (const name of Object.keys(sections)) {
    const child = fork(fileURLToPath(import.meta.url), [name], { stdio: 'inherit' });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`benchmark section ${name} failed (exit ${code})`);
  }
}

async function withRegistry(run: (registry: ModelRegistry) => Promise<void>): Promise<void> {
  const registry = await loadModelRegistry(path.join(projectRoot(), 'models'));
  try {
    await run(registry);
  } finally {
    await shutdown(registry);
  }
}

/** Series → volume for 300 slices, measured by the volume helper's benchmark (bench/series-load.ts). */
async function benchSeriesLoadStep(): Promise<void> {
  const figures = await benchSeriesLoad({ slices: 300 });
  console.log(`series load (300 slices of 512×512): ${JSON.stringify(figures)}`);
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
  console.log(`  RSS before run ${before.toFixed(0)} MB (node, onnxruntime, 2 model workers, the volume), peak during run ${peakRssMb.toFixed(0)} MB = ${(peakRssMb / volumeMb).toFixed(2)}× the volume's float32 size (target ≤ 3×)`);
  console.log(
    `  process high-water ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (includes generating the phantom)`);
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
