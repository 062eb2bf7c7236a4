// Binary morphology and connectivity on float 0/1 masks, written as ONNX ops (MaxPool, CumSum, Mul) for the CT models.
import { OnnxDataType } from '../onnx-proto.js';
import type { OnnxGraph } from './onnx-graph.js';

export type Box = [number, number, number];

/** Mask ops on [1, 1, D, H, W] float tensors; MaxPool ignores padding, so an erosion does not erode from the border. */
export function morphology(g: OnnxGraph) {
  const one = g.floats([1], []);
  const maxPool1d = (x: string, axis: number, size: number) => {
    const kernel = [1, 1, 1];
    kernel[axis] = size;
    const pads = [0, 0, 0, 0, 0, 0];
    pads[axis] = pads[axis + 3] = (size - 1) / 2;
    return g.node('MaxPool', [x], { kernel_shape: kernel, pads, strides: [1, 1, 1] });
  };
  // A box maximum is separable: three 1-D passes cost kd+kh+kw per voxel instead of kd·kh·kw.
  const dilate = (x: string, box: Box) =>
    box.reduce((acc, size, axis) => (size > 1 ? maxPool1d(acc, axis, size) : acc), x);
  const erode = (x: string, box: Box) => g.node('Neg', [dilate(g.node('Neg', [x]), box)]);
  const close = (x: string, box: Box) => erode(dilate(x, box), box);
  const and = (a: string, b: string) => g.node('Mul', [a, b]);
  const or = (a: string, b: string) => g.node('Max', [a, b]);
  const not = (x: string) => g.node('Sub', [one, x]);
  const greater = (x: string, value: number) =>
    g.node('Cast', [g.node('Greater', [x, g.floats([value], [])])], { to: OnnxDataType.FLOAT });
  const less = (x: string, value: number) =>
    g.node('Cast', [g.node('Less', [x, g.floats([value], [])])], { to: OnnxDataType.FLOAT });
  /** In-plane mean over a box, border voxels averaged over what is inside the image. */
  const mean = (x: string, box: Box) => g.node('AveragePool', [x], {
    kernel_shape: box, pads: [...box, ...box].map((s) => (s - 1) / 2), strides: [1, 1, 1], count_include_pad: 0,
  });
  /** Geodesic dilation: grow `seed` by `box` `steps` times without leaving `within`. */
  const propagate = (seed: string, within: string, steps: number, box: Box) => {
    let grown = and(seed, within);
    for (let s = 0; s < steps; s++) grown = and(dilate(grown, box), within);
    return grown;
  };
  /** Per voxel, how many of the four in-plane directions (±rows, ±columns) are free of `mask` up to the image edge. */
  const openSides = (mask: string) => {
    const sides = [3, 4].flatMap((axis) => [0, 1].map((reverse) => {
      const sum = g.node('CumSum', [mask, g.int64s([axis], [])], { reverse });
      return not(g.node('Min', [sum, one]));
    }));
    return sides.reduce((acc, side) => g.node('Add', [acc, side]));
  };
  return { dilate, erode, close, and, or, not, greater, less, mean, propagate, openSides };
}
