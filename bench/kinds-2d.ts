// bench:kinds section for the 2D input path: decode and prepare a 2500×2000 radiograph (native and JPEG-LS), and a
// classifier through the node (registry, inference worker: load, window, letterbox, run, softmax) with the node's
// share of the model time, checked against the model run alone. Figures from a shared 2-core machine vary.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModelRegistry, runImageModel, shutdown } from '../src/infer/index.js';
import { loadImageFrame } from '../src/infer/image2d/load.js';
import { openOnnxEngine } from '../src/infer/onnx-engine.js';
import type { TensorInference } from '../src/infer/patch-engine.js';
import { threadsPerSession } from '../src/infer/worker-slot.js';
import { FileReader } from '../src/infer/volume/fill.js';
import { prepareImage } from '../src/infer/image2d/prepare.js';
import type { Image2dInput } from '../src/infer/manifest.js';
import { TransferSyntax, writeSyntheticRadiograph } from '../src/synthetic/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spec: Image2dInput = { kind: 'image2d', window: { source: 'header' }, resize: 'letterbox',
  mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export async function benchNode2d(root: string): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-2d-'));
  try {
    await prepareOnly(tmp);
    await throughTheNode(tmp, root);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (this process; the inference worker is a thread in it)`);
}

async function prepareOnly(tmp: string): Promise<void> {
  console.log('\n2D input path, a 2500×2000 12-bit DX → 3 × 224² (letterbox, header window, mean/std), median of 10 after 2 warm-ups');
  for (const [name, ts] of [['native', TransferSyntax.explicitLittle],
    ['JPEG-LS lossless', TransferSyntax.jpegLsLossless]] as const) {
    const r = await writeSyntheticRadiograph(path.join(tmp, `${name}.dcm`),
      { rows: 2500, columns: 2000, transferSyntaxUid: ts, objects: [{ x0: 300, y0: 400, x1: 340, y1: 460 }] });
    const decode: number[] = [];
    const prepare: number[] = [];
    const out = new Float32Array(3 * 224 * 224);
    const reader = new FileReader(); // as a run reads its images: one reused buffer
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      const frame = await loadImageFrame(r.file, 1, reader);
      const t1 = performance.now();
      prepareImage(frame, spec, { channels: 3, rows: 224, columns: 224 }, out);
      const t2 = performance.now();
      if (i >= 2) { decode.push(t1 - t0); prepare.push(t2 - t1); }
    }
    console.log(`  ${name}: read + decode + modality LUT ${median(decode).toFixed(1)} ms, window + resize + channels ${median(prepare).toFixed(1)} ms`);
  }
}

/** resnet18-bench (bench/models, built by build:models) on 16 radiographs per size, through runImageModel. */
async function throughTheNode(tmp: string, root: string): Promise<void> {
  const source = path.join(root, 'bench', 'models', 'resnet18-bench');
  if (!fs.existsSync(path.join(source, 'model.onnx'))) {
    console.log('  (resnet18-bench is not built: run npm run build:models for the through-the-node figures)');
    return;
  }
  fs.cpSync(source, path.join(tmp, 'models', 'resnet18-bench'), { recursive: true });
  const registry = await loadModelRegistry(path.join(tmp, 'models'));
  // the model alone, on a session opened as the node's worker opens it, as a check on the model time it reports
  const manifest = registry.get('resnet18-bench')!.manifest!;
  const { tensor } = await openOnnxEngine({ modelPath: path.join(source, 'model.onnx'), manifest,
    intraOpNumThreads: threadsPerSession(manifest) });
  try {
    console.log(
      '\nresnet18-bench through the node (inference worker: load, prepare, batch 8, softmax), 16 images, best of 3');
    for (const [rows, columns] of [[2500, 2000], [512, 512]] as const) {
      const files: string[] = []; // paths only: the written patterns are not kept (they would count in the peak RSS)
      for (let n = 0; n < 16; n++) {
        files.push((await writeSyntheticRadiograph(path.join(tmp, `r${rows}-${n}.dcm`),
          { rows, columns, view: n % 2 ? 'lateral' : 'frontal', seed: n })).file);
      }
      const frames = { kind: 'frames' as const, frames: files.map((file) => ({ file })) };
      await runImageModel(registry, 'resnet18-bench', frames); // warm-up: worker JIT, session
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push((await runImageModel(registry, 'resnet18-bench', frames)).timings);
      const best = runs.reduce((a, b) => (b.totalMs < a.totalMs ? b : a));
      const nodeMs = best.totalMs - best.inferenceMs;
      const alone = await modelAlone(tensor);
      console.log(`  ${rows}×${columns}: ${((16 * 1000) / best.totalMs).toFixed(1)} images/s; model ${best.inferenceMs.toFixed(0)} ms, `
        + `load + prepare ${best.preprocessMs.toFixed(0)} ms, post-processing ${best.postprocessMs.toFixed(1)} ms, `
        + `node total overhead ${nodeMs.toFixed(0)} ms = ${((100 * nodeMs) / best.inferenceMs).toFixed(1)} % `
        + 'of model time; '
        + `the model alone ${alone.toFixed(0)} ms: total ${best.totalMs.toFixed(0)} ms = `
        + `${((100 * (best.totalMs - alone)) / alone).toFixed(1)} % over it`);
    }
  } finally {
    await shutdown(registry);
  }
}

/** The same two batches of 8 straight through the session, best of 3. */
async function modelAlone(tensor: TensorInference): Promise<number> {
  const input = new Float32Array(8 * 3 * 224 * 224).map((_, i) => ((i * 2654435761) % 1000) / 1000);
  const run = () => tensor(input, [8, 3, 224, 224]);
  await run();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await run();
    await run();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}
