// Builds models/cxr-metal: radiopaque foreign bodies and metal on radiographs, classical (no learned weights), as a
// dense detection head in ONNX ops whose raw rows the node decodes and NMS'es like any YOLO-style detector.
//
// Why the boxes are made in the graph and not by node-side connected components: the manifest's detection layouts
// (and so one decode + NMS path for every detector) take boxes, and ONNX has no labelling op. Each cell of a stride-16
// grid looks through a 64-pixel window: min/max of the bright pixels' coordinates (MaxPool of coordinate maps) give a
// box; a box touching its window's edge is cut off, so that cell says nothing (a window further on holds it whole);
// windows holding the same whole object give the same box, which NMS merges. Objects up to 47 px (model pixels)
// are always seen whole by some window.
import { OnnxDataType } from '../onnx-proto.js';
import { OnnxGraph } from './onnx-graph.js';

export const CXR_METAL_SIZE = 512;
const STRIDE = 16;
const WINDOW = 64;
const PAD = (STRIDE * (CXR_METAL_SIZE / STRIDE - 1) + WINDOW - CXR_METAL_SIZE) / 2;   // 24: one cell per stride step
const CELLS = CXR_METAL_SIZE / STRIDE;

/**
 * Bright: above an absolute floor (metal is the densest thing on a windowed radiograph, 1.0) and clearly above its
 * surroundings (the 31² local mean of the pixels below the floor), so bone, the spine and the mediastinum are not. The
 * box's score is its fill (bright pixels / box area): a compact object scores 0.8–1, two objects that share a window
 * and so one box score low.
 */
export const CXR_METAL_LIMITS = { floor: 0.9, contrast: 0.2, backgroundSize: 31, minPixels: 4 } as const;

/** Input [N, 1, 512, 512] windowed 0..1 (dense bright); output [N, 6, 1024]: cx, cy, w, h, fill, class score (1). */
export function buildCxrMetal(): Uint8Array {
  const g = new OnnxGraph('cxr-metal');
  const c = (v: number) => g.floats([v], []);
  const x = g.input('image', ['N', 1, CXR_METAL_SIZE, CXR_METAL_SIZE]);
  const k = CXR_METAL_LIMITS.backgroundSize;
  // the surroundings: the local mean of the pixels below the floor, so a large object does not raise its own background
  const aboveFloor = g.node('Greater', [x, c(CXR_METAL_LIMITS.floor)]);
  const below = g.node('Cast', [g.node('Not', [aboveFloor])], { to: OnnxDataType.FLOAT });
  const meanPool = { kernel_shape: [k, k], pads: Array(4).fill((k - 1) / 2), strides: [1, 1], count_include_pad: 0 };
  const localMean = (t: string) => g.node('AveragePool', [t], meanPool);
  const background = g.node('Div', [localMean(g.node('Mul', [x, below])), g.node('Max', [localMean(below), c(1e-6)])]);
  const bright = g.node('And',
    [aboveFloor, g.node('Greater', [g.node('Sub', [x, background]), c(CXR_METAL_LIMITS.contrast)])]);
  const mask = g.node('Cast', [bright], { to: OnnxDataType.FLOAT });
  const pool = { kernel_shape: [WINDOW, WINDOW], strides: [STRIDE, STRIDE], pads: [PAD, PAD, PAD, PAD] };
  const windowMax = (t: string) => g.node('MaxPool', [t], pool);
  const windowMin = (t: string) => g.node('Neg', [windowMax(g.node('Neg', [t]))]);
  const index = Array.from({ length: CXR_METAL_SIZE }, (_, i) => i);
  const far = g.node('Mul', [g.node('Sub', [c(1), mask]), c(1e4)]);   // non-bright pixels: far away for the minimum
  const extent = (coords: string) => {
    const onBright = g.node('Mul', [mask, coords]);
    return { min: windowMin(g.node('Add', [onBright, far])), max: windowMax(onBright) };
  };
  const xs = extent(g.floats(index, [1, 1, 1, CXR_METAL_SIZE], 'x'));
  const ys = extent(g.floats(index, [1, 1, CXR_METAL_SIZE, 1], 'y'));
  const w = g.node('Add', [g.node('Sub', [xs.max, xs.min]), c(1)]);
  const h = g.node('Add', [g.node('Sub', [ys.max, ys.min]), c(1)]);
  const cx = g.node('Mul', [g.node('Add', [g.node('Add', [xs.min, xs.max]), c(1)]), c(0.5)]);
  const cy = g.node('Mul', [g.node('Add', [g.node('Add', [ys.min, ys.max]), c(1)]), c(0.5)]);
  const count = g.node('Mul', [g.node('AveragePool', [mask], { ...pool, count_include_pad: 1 }), c(WINDOW * WINDOW)]);
  // the first and last pixel of each cell's window; a box reaching either was cut off by the window
  const first = Array.from({ length: CELLS }, (_, i) => i * STRIDE - PAD);
  const last = first.map((f) => f + WINDOW - 1);
  const inside = (lo: string, hi: string, firsts: string, lasts: string) =>
    g.node('And', [g.node('Greater', [lo, firsts]), g.node('Less', [hi, lasts])]);
  const whole = g.node('And', [
    inside(xs.min, xs.max, g.floats(first, [1, 1, 1, CELLS]), g.floats(last, [1, 1, 1, CELLS])),
    inside(ys.min, ys.max, g.floats(first, [1, 1, CELLS, 1]), g.floats(last, [1, 1, CELLS, 1])),
  ]);
  const seen = g.node('And', [whole, g.node('Greater', [count, c(CXR_METAL_LIMITS.minPixels - 0.5)])]);
  const fill = g.node('Div', [count, g.node('Max', [g.node('Mul', [w, h]), c(1)])]);
  const score = g.node('Mul', [fill, g.node('Cast', [seen], { to: OnnxDataType.FLOAT })]);
  const classScore = g.node('Add', [g.node('Mul', [score, c(0)]), c(1)]);   // one class: metal
  const rows = g.node('Concat', [cx, cy, w, h, score, classScore], { axis: 1 });   // [N, 6, 32, 32]
  const flat = g.node('Reshape', [rows, g.int64s([0, 6, -1])]);
  g.output('boxes', flat, ['N', 6, CELLS * CELLS]);
  return g.toBytes(
    'radiopaque foreign bodies / metal on radiographs: bright compact components as dense YOLO-style rows');
}
