// Builds models/cxr-view: frontal vs lateral chest radiograph from image statistics, in ONNX ops (no learned weights).
// A frontal (PA/AP) chest has a bright mediastinum and spine between two dark lung fields; a lateral one has a single
// lung field across the middle. The band contrast "centre minus both sides" over the mid chest decides.
import { OnnxDataType } from '../onnx-proto.js';
import { OnnxGraph } from './onnx-graph.js';

export const CXR_VIEW_SIZE = 224;

/** Fractions of the model image: the rows of the mid chest, the central band and the two lung bands. */
export const CXR_VIEW_BANDS = { rows: [0.25, 0.55], centre: [0.47, 0.53], sides: [[0.3, 0.36], [0.64, 0.7]] } as const;
/** Band contrast at which both views are equally likely, and how sharply the logit grows away from it. */
export const CXR_VIEW_MIDPOINT = 0.25;
export const CXR_VIEW_GAIN = 10;

/** The weights whose dot product with the image is the band contrast: +mean of the centre, −mean of the sides. */
export function bandWeights(size = CXR_VIEW_SIZE): Float32Array {
  const w = new Float32Array(size * size);
  const span = (f: readonly number[]) => [Math.round(f[0]! * size), Math.round(f[1]! * size)] as const;
  const [r0, r1] = span(CXR_VIEW_BANDS.rows);
  const fill = (cols: readonly number[], value: number) => {
    const [c0, c1] = span(cols);
    const cells = (r1 - r0) * (c1 - c0);
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) w[r * size + c]! += value / cells;
  };
  fill(CXR_VIEW_BANDS.centre, 1);
  for (const side of CXR_VIEW_BANDS.sides) fill(side, -0.5);
  return w;
}

/** Input [N, 1, 224, 224] windowed 0..1 (dense bright); output logits [N, 2] = [frontal, lateral]. */
export function buildCxrView(): Uint8Array {
  const g = new OnnxGraph('cxr-view');
  const x = g.input('image', ['N', 1, CXR_VIEW_SIZE, CXR_VIEW_SIZE]);
  const weighted = g.node('Mul', [x, g.floats(bandWeights(), [1, 1, CXR_VIEW_SIZE, CXR_VIEW_SIZE], 'bands')]);
  const contrast = g.node('ReduceSum', [weighted, g.int64s([2, 3])], { keepdims: 0 }); // [N, 1]
  const z = g.node('Mul',
    [g.node('Sub', [contrast, g.floats([CXR_VIEW_MIDPOINT], [1])]), g.floats([CXR_VIEW_GAIN], [1])]);
  const logits = g.node('Concat', [z, g.node('Neg', [z])], { axis: 1 });
  g.output('scores', logits, ['N', 2], OnnxDataType.FLOAT);
  return g.toBytes(
    'frontal (channel 0) vs lateral (channel 1) chest radiograph from the mediastinum-vs-lung band contrast');
}
