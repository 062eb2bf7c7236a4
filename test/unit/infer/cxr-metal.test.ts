// The classical metal detector (cxr-metal) run by onnxruntime on a synthetic radiograph-like image, decoded and NMS'ed
// by the node: exactly one box per metal object at its known position, none on bone-bright structures or plain images.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildCxrMetal, CXR_METAL_SIZE } from '../../../src/infer/model-builders/cxr-metal.js';
import { postprocessDetections, type DetectionOptions } from '../../../src/infer/detect/index.js';

const N = CXR_METAL_SIZE;
const metal = { scheme: 'SCT', value: '425620007', meaning: 'Metal' };
const options: DetectionOptions = {
  layout: 'yolo', scoreThreshold: 0.5, iouThreshold: 0.5, maxBoxes: 20, classAgnostic: true,
  classes: [{ code: metal, threshold: 0.6 }],
};
type Rect = { x0: number; y0: number; x1: number; y1: number };

/** Windowed 0..1 image: soft tissue 0.45, two lung fields 0.18, mediastinum 0.64 and spine 0.7, ±0.02 noise,
 *  metal 1. */
function image(objects: Rect[], seed = 11): Float32Array {
  let s = seed;
  const noise = () => { s = (s * 1103515245 + 12345) % 2147483648; return (s / 2147483648) * 0.04 - 0.02; };
  const out = new Float32Array(N * N);
  for (let y = 0; y < N; y++) {
    for (let x = 0; x < N; x++) {
      const lung = (x > 80 && x < 220) || (x > 292 && x < 432);
      const base = Math.abs(x - 256) < 12 ? 0.7 : Math.abs(x - 256) < 36 ? 0.64
        : lung && y > 60 && y < 400 ? 0.18 : 0.45;
      out[y * N + x] = base + noise();
    }
  }
  for (const r of objects) for (let y = r.y0; y < r.y1; y++) out.fill(1, y * N + r.x0, y * N + r.x1);
  return out;
}

async function detect(pixels: Float32Array) {
  const session = await ort.InferenceSession.create(Buffer.from(buildCxrMetal()));
  try {
    const result = await session.run({ image: new ort.Tensor('float32', pixels, [1, 1, N, N]) });
    const out = result.boxes!;
    return { dims: out.dims, boxes: postprocessDetections(out.data as Float32Array, out.dims, options,
      { toSourcePoint: (p) => p, columns: N, rows: N }) };
  } finally {
    await session.release();
  }
}

describe('cxr-metal', () => {
  it('ships the file its builder makes, named by the manifest\'s sha256, with the detection options decode reads',
    () => {
      const folder = path.resolve(import.meta.dirname, '../../../models/cxr-metal');
      const shipped = fs.readFileSync(path.join(folder, 'model.onnx'));
      const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'model.json'), 'utf8'));
      expect(Buffer.compare(shipped, Buffer.from(buildCxrMetal()))).toBe(0);
      expect(createHash('sha256').update(shipped).digest('hex')).toBe(manifest.sha256);
      expect(manifest).toMatchObject(
        { clinical: false, task: 'detection', detection: { layout: 'yolo', classes: [{ code: metal }] } });
      expect(manifest.algorithm.family.value).not.toBe('123110');   // classical, not "Artificial Intelligence"
    });

  it('finds each metal object once, at its exact box, over lung, mediastinum, spine and the image edge', async () => {
    const objects: Rect[] = [
      { x0: 100, y0: 120, x1: 130, y1: 140 },   // 30×20 clip over a lung
      { x0: 300, y0: 300, x1: 306, y1: 306 },   // 6×6 fragment
      { x0: 240, y0: 200, x1: 272, y1: 245 },   // 32×45 over the spine
      { x0: 0, y0: 480, x1: 10, y1: 512 },      // at the image corner
      { x0: 420, y0: 40, x1: 467, y1: 87 },     // 47×47, the largest size always seen whole
    ];
    const { dims, boxes } = await detect(image(objects));
    expect(dims).toEqual([1, 6, (N / 16) ** 2]);
    const got =
      boxes.map((b) => [b.box.x1, b.box.y1, b.box.x2, b.box.y2]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    const want = objects.map((r) => [r.x0, r.y0, r.x1, r.y1]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    expect(got).toEqual(want);
    for (const b of boxes) expect(b.score).toBe(1);   // a filled rectangle fills its box
  }, 60_000);

  it('finds nothing on an image without metal, also where dense bone (0.89 ± 0.02) crosses the floor in places',
    async () => {
      expect((await detect(image([]))).boxes).toEqual([]);
      const bone = image([]);
      let crossing = 0;
      for (let y = 380; y < 440; y++) {
        for (let x = 100; x < 160; x++) { bone[y * N + x] = 0.89 + ((x * 7 + y * 13) % 5) * 0.01 - 0.02;
          if (bone[y * N + x]! > 0.9) crossing++; }
      }
      expect(crossing).toBeGreaterThan(100);
      expect((await detect(bone)).boxes).toEqual([]);
    }, 60_000);

  it('scores a round object by its fill (π/4) and keeps it above the 0.6 operating point', async () => {
    const pixels = image([]);
    const r = 10;
    for (let y = -r; y < r; y++) for (let x = -r; x < r; x++) if ((x + 0.5) ** 2 + (y + 0.5) ** 2 <= r * r)
      pixels[(150 + y) * N + 350 + x] = 1;
    const { boxes } = await detect(pixels);
    expect(boxes.map((b) => [b.box.x1, b.box.y1, b.box.x2, b.box.y2])).toEqual([[340, 140, 360, 160]]);
    expect(boxes[0]!.score).toBeGreaterThan(0.75);
    expect(boxes[0]!.score).toBeLessThan(0.82);
  }, 60_000);
});
