// Per-segment intensity statistics (HU) in one pass over the volume: accumulate per label value, then combine.
import type { LabelVolume } from './types.js';

export interface IntensityStats { count: number; mean: number; stdDev: number; min: number; max: number }

/** Statistics for each label set (population standard deviation); undefined where the set has no voxels. */
export function intensityStats(labels: LabelVolume, intensities: Float32Array, labelSets: number[][]): Array<IntensityStats | undefined> {
  const count = new Float64Array(256);
  const sum = new Float64Array(256);
  const sumSq = new Float64Array(256);
  const min = new Float64Array(256).fill(Infinity);
  const max = new Float64Array(256).fill(-Infinity);
  const data = labels.data;
  // accumulate runs of one label in locals and flush at label changes: labels come in long runs
  let v = 0;
  while (v < data.length) {
    const l = data[v];
    if (l === 0) { while (++v < data.length && data[v] === 0); continue; }   // background is never a segment
    let n = 0, s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
    do {
      const x = intensities[v];
      n++; s += x; s2 += x * x;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    } while (++v < data.length && data[v] === l);
    count[l] += n; sum[l] += s; sumSq[l] += s2;
    if (lo < min[l]) min[l] = lo;
    if (hi > max[l]) max[l] = hi;
  }
  return labelSets.map((values) => {
    let n = 0, s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
    for (const l of new Set(values)) {
      n += count[l]; s += sum[l]; s2 += sumSq[l];
      lo = Math.min(lo, min[l]); hi = Math.max(hi, max[l]);
    }
    if (n === 0) return undefined;
    const mean = s / n;
    return { count: n, mean, stdDev: Math.sqrt(Math.max(0, s2 / n - mean * mean)), min: lo, max: hi };
  });
}

/** Statistics of the voxels a 0/1 mask selects (used when only the SEG, not the label volume, is at hand). */
export function maskStats(mask: Uint8Array, intensities: Float32Array): IntensityStats | undefined {
  let n = 0, s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
  for (let v = 0; v < mask.length; v++) {
    if (mask[v] === 0) continue;
    const x = intensities[v];
    n++; s += x; s2 += x * x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (n === 0) return undefined;
  const mean = s / n;
  return { count: n, mean, stdDev: Math.sqrt(Math.max(0, s2 / n - mean * mean)), min: lo, max: hi };
}
