// Builds bench/models/resnet18-bench: a ResNet-18 2D classifier (11.7 M parameters) at 224² with seeded random
// weights, and det-bench, a YOLO-style detector at 640²: speed benchmarks of the 2D path, never clinical models.
import { OnnxGraph } from './onnx-graph.js';
import { gaussianRandom } from './unet3d-bench.js';

export const RESNET18_SIZE = 224;
export const DET_BENCH_SIZE = 640;
export const DET_BENCH_CLASSES = 2;

/** Conv (+ folded batch norm as a bias) with He-initialised random weights. */
function convolutions(g: OnnxGraph, seed: number) {
  const random = gaussianRandom(seed);
  return (x: string, cin: number, cout: number, k: number, stride = 1) => {
    const fanIn = cin * k * k;
    const std = Math.sqrt(2 / fanIn);
    const w = new Float32Array(cout * fanIn);
    for (let i = 0; i < w.length; i++) w[i] = random() * std;
    const p = (k - 1) >> 1;
    return g.node('Conv', [x, g.floats(w, [cout, cin, k, k], 'w'), g.floats(new Float32Array(cout), [cout], 'b')],
      { kernel_shape: [k, k], pads: [p, p, p, p], strides: [stride, stride] });
  };
}

/** Input [N, 3, 224, 224], output logits [N, classes]: conv7 s2, max pool, 4 stages × 2 basic blocks, GAP, FC. */
export function buildResnet18Bench(classes = 2, seed = 20251202): Uint8Array {
  const g = new OnnxGraph('resnet18-bench');
  const conv = convolutions(g, seed);
  const relu = (x: string) => g.node('Relu', [x]);
  const block = (x: string, cin: number, cout: number, stride: number) => {
    const y = conv(relu(conv(x, cin, cout, 3, stride)), cout, cout, 3);
    const shortcut = stride !== 1 || cin !== cout ? conv(x, cin, cout, 1, stride) : x;
    return relu(g.node('Add', [y, shortcut]));
  };
  const image = g.input('image', ['N', 3, RESNET18_SIZE, RESNET18_SIZE]);
  let x = g.node('MaxPool', [relu(conv(image, 3, 64, 7, 2))],
    { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] });
  let channels = 64;
  for (const [cout, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]] as const) {
    x = block(block(x, channels, cout, stride), cout, cout, 1);
    channels = cout;
  }
  const pooled = g.node('Flatten', [g.node('GlobalAveragePool', [x])], { axis: 1 });
  const random = gaussianRandom(seed + 1);
  const fc = Float32Array.from({ length: classes * 512 }, () => random() * Math.sqrt(1 / 512));
  const logits = g.node('Gemm',
    [pooled, g.floats(fc, [classes, 512], 'fc'), g.floats(new Float32Array(classes), [classes], 'fcb')], { transB: 1 });
  g.output('scores', logits, ['N', classes]);
  return g.toBytes(
    'ResNet-18 (basic blocks 64-128-256-512, batch norm folded) with seeded random weights: a speed benchmark');
}

/**
 * Input [N, 3, 640, 640], output [N, 4 + C, 8400] (YOLOv8 layout, strides 8/16/32): a stride-2 conv backbone
 * (16…256 channels) and per-scale heads; sigmoid scores, box centres on each cell, sizes from the weights.
 */
export function buildDetBench(seed = 20251203): Uint8Array {
  const g = new OnnxGraph('det-bench');
  const conv = convolutions(g, seed);
  const act = (x: string) => g.node('Relu', [x]);
  const image = g.input('image', ['N', 3, DET_BENCH_SIZE, DET_BENCH_SIZE]);
  const features: Array<{ x: string; channels: number; stride: number }> = [];
  let x = image;
  let cin = 3;
  [16, 32, 64, 128, 256].forEach((cout, i) => {
    x = act(conv(act(conv(x, cin, cout, 3, 2)), cout, cout, 3));
    cin = cout;
    if (i >= 2) features.push({ x, channels: cout, stride: 2 ** (i + 1) });
  });
  const rows = features.map(({ x: f, channels, stride }) => {
    const cells = DET_BENCH_SIZE / stride;
    const head = act(conv(f, channels, 64, 3));
    const box = g.node('Sigmoid', [conv(head, 64, 4, 1)]);
    // centre = (cell + sigmoid) × stride, size = sigmoid × 4 strides: boxes on the image, like a decoded head
    const grid = (axis: 'x' | 'y') => g.floats(Array.from({ length: cells * cells },
      (_, i) => (axis === 'x' ? i % cells : Math.floor(i / cells))), [1, 1, cells, cells]);
    const scale = (t: string, s: number) => g.node('Mul', [t, g.floats([s], [])]);
    const slice = (c0: number) => g.node('Slice', [box, g.int64s([c0]), g.int64s([c0 + 1]), g.int64s([1])]);
    const cx = scale(g.node('Add', [slice(0), grid('x')]), stride);
    const cy = scale(g.node('Add', [slice(1), grid('y')]), stride);
    const wh = scale(g.node('Slice', [box, g.int64s([2]), g.int64s([4]), g.int64s([1])]), 4 * stride);
    const scores = g.node('Sigmoid', [conv(head, 64, DET_BENCH_CLASSES, 1)]);
    const all = g.node('Concat', [cx, cy, wh, scores], { axis: 1 });
    return g.node('Reshape', [all, g.int64s([0, 4 + DET_BENCH_CLASSES, -1])]);
  });
  g.output('boxes', g.node('Concat', rows, { axis: 2 }), ['N', 4 + DET_BENCH_CLASSES, 8400]);
  return g.toBytes(
    'YOLO-style detector (stride-2 conv backbone, 3 heads) with seeded random weights: a speed benchmark');
}
