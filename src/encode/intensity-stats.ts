// Per-segment intensity statistics (HU) for the SR: from the label volume in one pass (accumulate per label value,
// then combine per segment), or from a stored SEG's masks. The one place these numbers are computed.
import type { LabelVolume, SegmentDescription, SegmentationResult, SourceSlice } from './types.js';
import { EncodeError } from './errors.js';
import { runEnd, wordView } from './label-runs.js';
import { parseSourceSeries } from './source-series.js';
import { readSegmentation } from './seg-reader.js';

export interface IntensityStats { count: number; mean: number; stdDev: number; min: number; max: number }

/** Statistics per segment label; a segment with no voxels has no entry. Structured-clonable (a worker can send it). */
export type SegmentStatistics = Map<string, IntensityStats>;

/** Where the segments' voxels are read: the label volume the SEG was encoded from, or the SEG itself mapped back
 *  onto the source grid (so an SR can be rebuilt from stored SEG bytes alone). */
export type SegmentVoxels = { labels: LabelVolume } | { seg: SegmentationResult; sources: SourceSlice[] };

/** HU statistics of each segment, computed only when some segment asks for more than its volume. */
export function segmentStatistics(from: SegmentVoxels, segments: SegmentDescription[],
  intensities: Float32Array): SegmentStatistics {
  const out: SegmentStatistics = new Map();
  if (!wantsIntensityStatistics(segments)) return out;
  const voxels = 'labels' in from ? from.labels.data.length : gridVoxels(from.sources);
  if (!(intensities instanceof Float32Array) || intensities.length !== voxels) {
    throw new EncodeError('ENC_INTENSITIES',
      `intensities must be a Float32Array of ${voxels} voxels on the label grid`);
  }
  if ('labels' in from) {
    const stats = intensityStats(from.labels, intensities, segments.map((s) => s.labelValues));
    segments.forEach((s, i) => { if (stats[i]) out.set(s.label, stats[i]); });
    return out;
  }
  const { masks } = readSegmentation(from.seg.bytes, from.sources);
  for (const s of from.seg.segments) {
    const mask = masks.get(s.number);
    const stats = mask ? maskStats(mask, intensities) : undefined;
    if (stats) out.set(s.label, stats);
  }
  return out;
}

/** Volume comes from the voxel count; only mean/SD/min/max need the intensities. */
export function wantsIntensityStatistics(segments: SegmentDescription[]): boolean {
  return segments.some((s) => s.measurements.some((m) => m !== 'volume'));
}

function gridVoxels(sources: SourceSlice[]): number {
  const series = parseSourceSeries(sources);
  return series.rows * series.columns * sources.length;
}

/** Statistics for each label set (population standard deviation); undefined where the set has no voxels. */
export function intensityStats(labels: LabelVolume, intensities: Float32Array,
  labelSets: number[][]): Array<IntensityStats | undefined> {
  const acc = new Float64Array(256 * 5);   // per label: count, sum, sum of squares, min, max
  for (let l = 0; l < 256; l++) { acc[l * 5 + 3] = Infinity; acc[l * 5 + 4] = -Infinity; }
  const data = labels.data;
  const words = wordView(data);
  // labels come in long runs: find a run, then sum its intensities in a tight loop
  let v = 0;
  while (v < data.length) {
    const l = data[v];
    const start = v;
    v = runEnd(data, words, v, l, data.length);
    if (l !== 0) accumulateRun(intensities, start, v, acc, l * 5);   // background is never a segment
  }
  return labelSets.map((values) => {
    let count = 0, s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
    for (const l of new Set(values)) {
      count += acc[l * 5]; s += acc[l * 5 + 1]; s2 += acc[l * 5 + 2];
      lo = Math.min(lo, acc[l * 5 + 3]); hi = Math.max(hi, acc[l * 5 + 4]);
    }
    if (count === 0) return undefined;
    const mean = s / count;
    return { count, mean, stdDev: Math.sqrt(Math.max(0, s2 / count - mean * mean)), min: lo, max: hi };
  });
}

function accumulateRun(x: Float32Array, start: number, end: number, acc: Float64Array, o: number): void {
  let s = 0, s2 = 0, lo = Infinity, hi = -Infinity;
  for (let v = start; v < end; v++) {
    const y = x[v];
    s += y; s2 += y * y;
    lo = y < lo ? y : lo;
    hi = y > hi ? y : hi;
  }
  acc[o] += end - start; acc[o + 1] += s; acc[o + 2] += s2;
  if (lo < acc[o + 3]) acc[o + 3] = lo;
  if (hi > acc[o + 4]) acc[o + 4] = hi;
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
