// Benchmark of the 2D model kinds (npm run bench:kinds): NMS of 10 000 raw boxes, ResNet-18 at 224² images per
// second through onnxruntime with the node's post-processing share, a YOLO-style head at 640² with decode + NMS,
// the 2D input path and a classifier through the node (kinds-2d.ts), and each section's peak RSS. Figures from a shared
// 2-core machine vary between runs.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { postprocessDetections, type DetectionOptions } from '../src/infer/detect/index.js';
import { buildDetBench, buildResnet18Bench, DET_BENCH_SIZE,
  RESNET18_SIZE } from '../src/infer/model-builders/resnet18-bench.js';
import { benchNode2d } from './kinds-2d.js';

const code = (value: string) => ({ code: { scheme: '99DAN', value, meaning: value }, threshold: 0.25 });
const yolo: DetectionOptions = {
  layout: 'yolo', scoreThreshold: 0.25, iouThreshold: 0.45, maxBoxes: 300, classAgnostic: false,
  classes: [code('a'), code('b')],
};
const identity = (p: { x: number; y: number }) => p;

/** Each section runs in its own child process, so its peak RSS is its own. */
const sections: Record<string, () => Promise<void>> = {
  nms: benchNms, resnet18: benchResnet18, 'det-bench': benchDetHead, 'node-2d': () => benchNode2d(projectRoot()),
};

async function main(): Promise<void> {
  const section = process.argv[2];
  if (section) return sections[section]!();
  console.log(
    `bench:kinds (CPU, onnxruntime ${ort.env.versions.common}; figures from a shared machine vary between runs)`);
  for (const name of Object.keys(sections)) {
    const child = fork(fileURLToPath(import.meta.url), [name], { stdio: 'inherit' });
    const exit = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (exit !== 0) throw new Error(`benchmark section ${name} failed (exit ${exit})`);
  }
}

/** 10 000 YOLOv8 rows [1, 6, 10000] (transposed, 2 classes): 1000 objects × 10 jittered rows,
 *  every row above threshold. */
function rawRows(n = 10_000): Float32Array {
  const data = new Float32Array(6 * n);
  let s = 42;
  const random = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
  for (let i = 0; i < n; i++) {
    const object = Math.floor(i / 10);
    const cx = 20 + (object % 40) * 50 + random() * 4;
    const cy = 20 + Math.floor(object / 40) * 50 + random() * 4;
    const values = [cx, cy, 20 + random() * 4, 20 + random() * 4, 0.3 + random() * 0.7, random() * 0.2];
    if (object % 2) [values[4], values[5]] = [values[5]!, values[4]!];
    values.forEach((v, k) => { data[k * n + i] = v; });
  }
  return data;
}

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; }
function timed<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now(); const value = fn(); return { ms: performance.now() - t, value }; }
function peakRss(): string { return `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`; }

async function benchNms(): Promise<void> {
  const data = rawRows();
  const per = (opts: DetectionOptions) => {
    for (let i = 0; i < 5; i++)
      postprocessDetections(data, [1, 6, 10_000], opts, { toSourcePoint: identity });   // warm-up (JIT)
    const runs = Array.from({ length: 30 },
      () => timed(() => postprocessDetections(data, [1, 6, 10_000], opts, { toSourcePoint: identity })));
    return { ms: median(runs.map((r) => r.ms)), boxes: runs[0]!.value.length };
  };
  const perClass = per(yolo);
  const agnostic = per({ ...yolo, classAgnostic: true });
  const unlimited = per({ ...yolo, maxBoxes: 10_000 });
  console.log('\nNMS of 10 000 raw YOLO rows (1000 objects × 10 jittered rows, all above the score threshold), decode + NMS + map-back, median of 30');
  console.log(`  per class, maxBoxes 300: ${perClass.ms.toFixed(2)} ms (${perClass.boxes} boxes) | class-agnostic: ${agnostic.ms.toFixed(2)} ms | maxBoxes 10 000: ${unlimited.ms.toFixed(2)} ms (${unlimited.boxes} boxes)`);
  console.log(`  peak RSS ${peakRss()}`);
}

/** A bench model: the built file in bench/models when build:models made it, else built here. */
function benchModel(id: string, build: () => Uint8Array): Uint8Array {
  const file = path.join(projectRoot(), 'bench', 'models', id, 'model.onnx');
  return fs.existsSync(file) ? fs.readFileSync(file) : build();
}

async function benchResnet18(): Promise<void> {
  const session =
    await ort.InferenceSession.create(Buffer.from(benchModel('resnet18-bench', () => buildResnet18Bench())));
  console.log(`\nresnet18-bench (ResNet-18, 11.7 M parameters) at ${RESNET18_SIZE}², onnxruntime default threads`);
  for (const batch of [1, 8]) {
    const input =
      new Float32Array(batch * 3 * RESNET18_SIZE * RESNET18_SIZE).map((_, i) => ((i * 2654435761) % 1000) / 1000);
    const run = () =>
      session.run({ image: new ort.Tensor('float32', input, [batch, 3, RESNET18_SIZE, RESNET18_SIZE]) });
    await run();
    const model: number[] = [];
    const post: number[] = [];
    for (let i = 0; i < (batch === 1 ? 20 : 5); i++) {
      const t = performance.now();
      const out = await run();
      model.push(performance.now() - t);
      post.push(timed(() => softmaxRows(out.scores!.data as Float32Array, 2)).ms);
    }
    const m = median(model);
    console.log(`  batch ${batch}: ${m.toFixed(1)} ms per run = ${((1000 * batch) / m).toFixed(1)} images/s; softmax ${median(post).toFixed(3)} ms = ${((100 * median(post)) / m).toFixed(3)} % of model time`);
  }
  console.log(`  peak RSS ${peakRss()}`);
}

async function benchDetHead(): Promise<void> {
  const session = await ort.InferenceSession.create(Buffer.from(benchModel('det-bench', () => buildDetBench())));
  const input = new Float32Array(3 * DET_BENCH_SIZE * DET_BENCH_SIZE).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const run = () => session.run({ image: new ort.Tensor('float32', input, [1, 3, DET_BENCH_SIZE, DET_BENCH_SIZE]) });
  const warm = (await run()).boxes!;
  for (let i = 0; i < 5; i++)
    postprocessDetections(warm.data as Float32Array, warm.dims, yolo, { toSourcePoint: identity });   // JIT warm-up
  const model: number[] = [];
  const post: number[] = [];
  let boxes = 0;
  for (let i = 0; i < 8; i++) {
    const t = performance.now();
    const out = (await run()).boxes!;
    model.push(performance.now() - t);
    const p = timed(() => postprocessDetections(out.data as Float32Array, out.dims, yolo,
      { toSourcePoint: identity, columns: 640, rows: 640 }));
    post.push(p.ms);
    boxes = p.value.length;
  }
  const m = median(model);
  console.log(`\ndet-bench (YOLO-style, 8400 raw rows) at ${DET_BENCH_SIZE}²: model ${m.toFixed(1)} ms; decode + NMS + map-back ${median(post).toFixed(2)} ms (${boxes} boxes from random weights) = ${((100 * median(post)) / m).toFixed(2)} % of model time`);
  console.log(`  peak RSS ${peakRss()}`);
}

function softmaxRows(x: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let r = 0; r < x.length; r += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, x[r + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += (out[r + c] = Math.exp(x[r + c]! - max));
    for (let c = 0; c < classes; c++) out[r + c]! /= sum;
  }
  return out;
}

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

main().catch((err) => { console.error(err); process.exit(1); });
