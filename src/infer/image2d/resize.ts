// Resampling a 2D image onto the model grid of a transform: a separable triangle filter whose support widens with
// the reduction (so a 2500-row radiograph shrunk to 224 averages its pixels instead of skipping them; bilinear when
// enlarging). Model pixels whose centre falls outside the source (letterbox bands) get the pad value.
import type { TransformParams } from './transform.js';

interface Taps { start: Int32Array; count: Int32Array; weights: Float32Array; width: number; inside: Uint8Array }

/** Weights of source pixels for each model pixel along one axis: centre c = (u + 0.5 − offset) / scale in source. */
function taps(modelLength: number, sourceLength: number, scale: number, offset: number): Taps {
  const support = Math.max(1, 1 / scale);
  const width = Math.ceil(2 * support) + 2;
  const start = new Int32Array(modelLength);
  const count = new Int32Array(modelLength);
  const weights = new Float32Array(modelLength * width);
  const inside = new Uint8Array(modelLength);
  for (let u = 0; u < modelLength; u++) {
    const c = (u + 0.5 - offset) / scale;
    if (c < 0 || c > sourceLength) continue;
    inside[u] = 1;
    const lo = Math.max(0, Math.floor(c - support - 0.5));
    const hi = Math.min(sourceLength - 1, Math.ceil(c + support - 0.5));
    let sum = 0;
    let n = 0;
    for (let i = lo; i <= hi && n < width; i++, n++) {
      const w = Math.max(0, 1 - Math.abs(i + 0.5 - c) / support);
      weights[u * width + n] = w;
      sum += w;
    }
    if (sum === 0) { // a centre exactly on the image edge: take the edge pixel
      weights[u * width] = 1;
      start[u] = Math.min(sourceLength - 1, Math.max(0, Math.floor(c)));
      count[u] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) weights[u * width + k]! /= sum;
    start[u] = lo;
    count[u] = n;
  }
  return { start, count, weights, width, inside };
}

/** `source` (rows × columns, row-major) → model rows × columns as the transform says; `out` is written, not read. */
export function resampleToModel(source: Float32Array, t: TransformParams, padValue: number, out: Float32Array): void {
  const tx = taps(t.modelColumns, t.sourceColumns, t.scaleX, t.offsetX);
  const ty = taps(t.modelRows, t.sourceRows, t.scaleY, t.offsetY);
  // horizontal pass on every source row, then vertical: rows × model columns in between
  const mid = new Float32Array(t.sourceRows * t.modelColumns);
  for (let j = 0; j < t.sourceRows; j++) {
    const row = j * t.sourceColumns;
    for (let u = 0; u < t.modelColumns; u++) {
      if (!tx.inside[u]) continue;
      let v = 0;
      const base = u * tx.width;
      for (let k = 0, i = tx.start[u]!; k < tx.count[u]!; k++, i++) v += tx.weights[base + k]! * source[row + i]!;
      mid[j * t.modelColumns + u] = v;
    }
  }
  for (let y = 0; y < t.modelRows; y++) {
    const base = y * ty.width;
    for (let u = 0; u < t.modelColumns; u++) {
      if (!ty.inside[y] || !tx.inside[u]) { out[y * t.modelColumns + u] = padValue; continue; }
      let v = 0;
      for (let k = 0, j = ty.start[y]!; k < ty.count[y]!; k++, j++) v += ty.weights[base + k]! * mid[j * t.modelColumns + u]!;
      out[y * t.modelColumns + u] = v;
    }
  }
}
