// Resampling a 2D image onto the model grid of a transform, separably: when shrinking, each model pixel is the
// mean of the source pixels its footprint covers (area weights, as OpenCV's INTER_AREA), so a 2500-row radiograph
// shrunk to 224 averages its pixels instead of skipping them and nothing bleeds past the footprint (an object's edge
// stays where it is); when enlarging, bilinear. Model pixels whose centre is outside the source get the pad value.
import type { GreyTable } from './grey.js';
import type { TransformParams } from './transform.js';

interface Taps { start: Int32Array; count: Int32Array; weights: Float32Array; width: number; inside: Uint8Array }

/** Weights of source pixels for each model pixel along one axis; the footprint of u is [(u − offset), (u + 1 −
 *  offset)) / scale in source pixels. */
function taps(modelLength: number, sourceLength: number, scale: number, offset: number): Taps {
  const width = Math.ceil(Math.max(1, 1 / scale)) + 2;
  const start = new Int32Array(modelLength);
  const count = new Int32Array(modelLength);
  const weights = new Float32Array(modelLength * width);
  const inside = new Uint8Array(modelLength);
  for (let u = 0; u < modelLength; u++) {
    const c = (u + 0.5 - offset) / scale;
    if (c < 0 || c > sourceLength) continue;
    inside[u] = 1;
    const put = (lo: number, values: number[]) => {
      const sum = values.reduce((a, b) => a + b, 0);
      start[u] = lo;
      count[u] = values.length;
      values.forEach((w, k) => { weights[u * width + k] = w / sum; });
    };
    if (scale < 1) {
      const a = Math.max(0, (u - offset) / scale);
      const b = Math.min(sourceLength, (u + 1 - offset) / scale);
      const lo = Math.floor(a);
      const hi = Math.min(sourceLength - 1, Math.ceil(b) - 1);
      const overlap = [];
      for (let i = lo; i <= hi; i++) overlap.push(Math.max(0, Math.min(b, i + 1) - Math.max(a, i)));
      put(lo, overlap.some((w) => w > 0) ? overlap : [1]);
    } else {
      // bilinear between the two source pixel centres around c (clamped at the edges)
      const left = Math.min(sourceLength - 1, Math.max(0, Math.floor(c - 0.5)));
      const right = Math.min(sourceLength - 1, left + 1);
      const f = Math.min(1, Math.max(0, c - 0.5 - left));
      put(left, right === left ? [1] : [1 - f, f]);
    }
  }
  return { start, count, weights, width, inside };
}

/** `source` (rows × columns, row-major) → model rows × columns as the transform says; `out` is written, not read.
 *  With a grey table the source holds stored values, each looked up as it is read (no full-size grey copy). */
export function resampleToModel(source: ArrayLike<number>, t: TransformParams, padValue: number, out: Float32Array,
  grey?: GreyTable): void {
  const tx = taps(t.modelColumns, t.sourceColumns, t.scaleX, t.offsetX);
  const ty = taps(t.modelRows, t.sourceRows, t.scaleY, t.offsetY);
  const M = t.modelColumns, S = t.sourceColumns;
  // horizontal pass on the source rows some model row reads, then vertical: rows × model columns in between
  const mid = new Float32Array(t.sourceRows * M);
  const needed = new Uint8Array(t.sourceRows);
  for (let y = 0; y < t.modelRows; y++) for (let k = 0; k < ty.count[y]!; k++) needed[ty.start[y]! + k] = 1;
  const { start: xs, count: xc, weights: xw, width: xWidth, inside: xIn } = tx;
  for (let j = 0; j < t.sourceRows; j++) {
    if (!needed[j]) continue;
    const row = j * S;
    for (let u = 0; u < M; u++) {
      if (!xIn[u]) continue;
      let v = 0;
      const base = u * xWidth;
      const first = row + xs[u]!;
      if (grey) {
        const { table, offset } = grey;
        for (let k = 0, n = xc[u]!; k < n; k++) v += xw[base + k]! * table[source[first + k]! - offset]!;
      } else {
        for (let k = 0, n = xc[u]!; k < n; k++) v += xw[base + k]! * source[first + k]!;
      }
      mid[j * M + u] = v;
    }
  }
  const { start: ys, count: yc, weights: yw, width: yWidth, inside: yIn } = ty;
  for (let y = 0; y < t.modelRows; y++) {
    const target = y * M;
    if (!yIn[y]) { out.fill(padValue, target, target + M); continue; }
    out.fill(0, target, target + M);
    const base = y * yWidth;
    for (let k = 0, n = yc[y]!; k < n; k++) {
      const w = yw[base + k]!;
      const from = (ys[y]! + k) * M;
      for (let u = 0; u < M; u++) out[target + u]! += w * mid[from + u]!;
    }
    for (let u = 0; u < M; u++) if (!xIn[u]) out[target + u] = padValue;
  }
}
