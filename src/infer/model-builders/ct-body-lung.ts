// Builds models/ct-body-lung: classical CT body and lung segmentation written as ONNX ops (threshold + 3D morphology).
import { OnnxDataType } from '../onnx-proto.js';
import { OnnxGraph } from './onnx-graph.js';

/**
 * Input: HU on a 2 mm grid, [1, 1, D, H, W] = [slices, rows, columns]. Output: uint8 labels 0 background,
 * 1 body (not lung), 2 lung. Kernel sizes are in voxels of that 2 mm grid.
 */
export function buildCtBodyLung(): Uint8Array {
  const g = new OnnxGraph('ct-body-lung');
  const m = morphology(g);
  const image = g.input('image', [1, 1, 'D', 'H', 'W']);

  // Tissue-like voxels (patient and table); a small closing seals pinholes in the skin line.
  const tissue = g.node('Cast', [g.node('Greater', [image, g.floats([-500], [])])], { to: OnnxDataType.FLOAT });
  const closed = m.erode(m.dilate(tissue, [3, 3, 3]), [3, 3, 3]);

  // Outside air: air not enclosed in-plane on all four sides, grown through air; whatever it cannot reach is inside
  // (lungs, bowel gas). Growing from outside stops at the chest wall, where CumSum alone would fill concavities.
  const background = m.not(closed);
  const outsideSeed = m.and(background, m.not(m.enclosedInPlane(closed)));
  const inside = m.not(m.propagate(outsideSeed, background, 16, [1, 3, 3]));

  // The body is the region connected to the trunk's core: a 62 mm erosion leaves only the trunk (the table,
  // blankets and cables are thinner), and growing back inside `inside` restores the body but not what air separates.
  const core = m.erode(inside, [1, 31, 31]);
  const body = m.propagate(core, inside, 16, [3, 5, 5]);

  // Lung: air-like voxels inside the body, opened to drop noise and small airways, kept only where connected to a
  // large air core (18×18×6 mm), which removes most bowel gas.
  const air = m.and(g.node('Cast', [g.node('Less', [image, g.floats([-400], [])])], { to: OnnxDataType.FLOAT }), body);
  const airOpened = m.dilate(m.erode(air, [3, 3, 3]), [3, 3, 3]);
  const lungCore = m.erode(airOpened, [3, 9, 9]);
  const lung = m.propagate(lungCore, airOpened, 8, [3, 3, 3]);

  const labels = g.node('Cast', [g.node('Add', [body, lung])], { to: OnnxDataType.UINT8 });
  g.output('labels', labels, [1, 1, 'D', 'H', 'W'], OnnxDataType.UINT8);
  return g.toBytes('CT body (label 1) and lung (label 2): threshold, morphology and connectivity in ONNX ops');
}

/** Binary morphology on float 0/1 masks: MaxPool dilates, Neg∘MaxPool∘Neg erodes (padding is ignored, so borders stay). */
function morphology(g: OnnxGraph) {
  const one = g.floats([1], []);
  const maxPool1d = (x: string, axis: number, size: number) => {
    const kernel = [1, 1, 1];
    kernel[axis] = size;
    const pads = [0, 0, 0, 0, 0, 0];
    pads[axis] = pads[axis + 3] = (size - 1) / 2;
    return g.node('MaxPool', [x], { kernel_shape: kernel, pads, strides: [1, 1, 1] });
  };
  // A box maximum is separable: three 1-D passes cost kd+kh+kw per voxel instead of kd·kh·kw.
  const dilate = (x: string, box: [number, number, number]) =>
    box.reduce((acc, size, axis) => (size > 1 ? maxPool1d(acc, axis, size) : acc), x);
  const erode = (x: string, box: [number, number, number]) => g.node('Neg', [dilate(g.node('Neg', [x]), box)]);
  const and = (a: string, b: string) => g.node('Mul', [a, b]);
  const not = (x: string) => g.node('Sub', [one, x]);
  /** Geodesic dilation: grow `seed` by `box` `steps` times without leaving `within`. */
  const propagate = (seed: string, within: string, steps: number, box: [number, number, number]) => {
    let grown = seed;
    for (let s = 0; s < steps; s++) grown = and(dilate(grown, box), within);
    return grown;
  };
  /** Voxels with mask on both sides along rows and along columns of their slice (CumSum's axis is an input). */
  const enclosedInPlane = (mask: string) => {
    const sides = [3, 4].flatMap((axis) => [0, 1].map((reverse) => {
      const sum = g.node('CumSum', [mask, g.int64s([axis], [])], { reverse });
      return g.node('Min', [sum, one]);
    }));
    return sides.reduce((acc, side) => and(acc, side));
  };
  return { dilate, erode, and, not, propagate, enclosedInPlane };
}
