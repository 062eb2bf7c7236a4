// Builds models/unet3d-bench: a small 3D U-Net with seeded random weights, used only to benchmark convolutions.
import { OnnxGraph } from './onnx-graph.js';

const CHANNELS = [16, 32, 64];
const CLASSES = 3;
const ROI = 96;

/** Input [1, 1, 96, 96, 96], output logits [1, 3, 96, 96, 96]; the same seed always gives the same bytes. */
export function buildUnet3dBench(seed = 20240611): Uint8Array {
  const g = new OnnxGraph('unet3d-bench');
  const random = gaussianRandom(seed);
  const conv = (x: string, cin: number, cout: number, k: number) => {
    const fanIn = cin * k * k * k;
    const std = Math.sqrt(2 / fanIn); // He initialisation keeps activations in range through ReLUs
    const weight = g.floats(Array.from({ length: cout * fanIn }, () => random() * std), [cout, cin, k, k, k], 'w');
    const bias = g.floats(new Float32Array(cout), [cout], 'b');
    const p = (k - 1) / 2;
    return g.node('Conv', [x, weight, bias], { kernel_shape: [k, k, k], pads: [p, p, p, p, p, p], strides: [1, 1, 1] });
  };
  const block = (x: string, cin: number, cout: number) => {
    let y = x;
    for (const [a, b] of [[cin, cout], [cout, cout]]) {
      const normed = g.node('InstanceNormalization',
        [conv(y, a, b, 3), g.floats(new Float32Array(b).fill(1), [b]), g.floats(new Float32Array(b), [b])],
        { epsilon: { f: 1e-5 } });
      y = g.node('Relu', [normed]);
    }
    return y;
  };
  const down = (x: string) => g.node('MaxPool', [x], { kernel_shape: [2, 2, 2], strides: [2, 2, 2] });
  const up = (x: string) => g.node('Resize', [x, '', g.floats([1, 1, 2, 2, 2], [5])], { mode: 'nearest' });

  const image = g.input('image', [1, 1, ROI, ROI, ROI]);
  const e1 = block(image, 1, CHANNELS[0]);
  const e2 = block(down(e1), CHANNELS[0], CHANNELS[1]);
  const bottom = block(down(e2), CHANNELS[1], CHANNELS[2]);
  const d2 = block(g.node('Concat', [up(bottom), e2], { axis: 1 }), CHANNELS[2] + CHANNELS[1], CHANNELS[1]);
  const d1 = block(g.node('Concat', [up(d2), e1], { axis: 1 }), CHANNELS[1] + CHANNELS[0], CHANNELS[0]);
  g.output('logits', conv(d1, CHANNELS[0], CLASSES, 1), [1, CLASSES, ROI, ROI, ROI]);
  return g.toBytes('3D U-Net (16-32-64 channels) with seeded random weights: a speed benchmark, not a clinical model');
}

/** mulberry32 uniform generator + Box–Muller: deterministic standard normal numbers. */
export function gaussianRandom(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
