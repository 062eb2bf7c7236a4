// Greedy non-maximum suppression over typed-array candidates: per class or class-agnostic, capped at maxBoxes.
import type { Candidates, DetectionOptions } from './types.js';

/**
 * Indices of the boxes to report, best score first. A candidate is dropped below its class's operating point
 * (or scoreThreshold, whichever is higher) before NMS, so a box that will not be reported suppresses nothing.
 * `suppress: false` (the model did its own NMS) only applies the thresholds and maxBoxes. Each candidate is
 * compared with the boxes kept so far only, so the cost is O(n log n + n × maxBoxes), not O(n²).
 */
export function selectBoxes(c: Candidates, options: DetectionOptions, suppress: boolean): number[] {
  const floor = options.classes.map((k) => Math.max(options.scoreThreshold, k.threshold ?? options.scoreThreshold));
  const order: number[] = [];
  for (let i = 0; i < c.count; i++) if (c.score[i] >= floor[c.classIndex[i]]) order.push(i);
  order.sort((a, b) => c.score[b] - c.score[a] || a - b);
  // the kept boxes' corners, areas and classes side by side: the inner loop reads them in order
  const cap = Math.min(options.maxBoxes, order.length);
  const k =
    { x1: new Float32Array(cap), y1: new Float32Array(cap), x2: new Float32Array(cap), y2: new Float32Array(cap),
    area: new Float32Array(cap), cls: new Int32Array(cap) };
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= options.maxBoxes) break;
    if (suppress && overlapsKept(c, i, k, kept.length, options)) continue;
    const n = kept.length;
    k.x1[n] = c.x1[i]; k.y1[n] = c.y1[i]; k.x2[n] = c.x2[i]; k.y2[n] = c.y2[i];
    k.area[n] = (c.x2[i] - c.x1[i]) * (c.y2[i] - c.y1[i]); k.cls[n] = c.classIndex[i];
    kept.push(i);
  }
  return kept;
}

type Kept = { x1: Float32Array; y1: Float32Array; x2: Float32Array; y2: Float32Array; area: Float32Array;
  cls: Int32Array };

function overlapsKept(c: Candidates, i: number, k: Kept, n: number, options: DetectionOptions): boolean {
  const x1 = c.x1[i], y1 = c.y1[i], x2 = c.x2[i], y2 = c.y2[i], cls = c.classIndex[i];
  const area = (x2 - x1) * (y2 - y1);
  const agnostic = options.classAgnostic;
  const limit = options.iouThreshold;
  for (let j = 0; j < n; j++) {
    if (!agnostic && k.cls[j] !== cls) continue;
    const w = Math.min(x2, k.x2[j]) - Math.max(x1, k.x1[j]);
    if (w <= 0) continue;
    const h = Math.min(y2, k.y2[j]) - Math.max(y1, k.y1[j]);
    if (h <= 0) continue;
    const inter = w * h;
    const union = area + k.area[j] - inter;
    if (union > 0 && inter / union > limit) return true;
  }
  return false;
}

/** Intersection over union of candidates i and j; 0 when either box has no area. */
export function iou(c: Candidates, i: number, j: number): number {
  const w = Math.min(c.x2[i], c.x2[j]) - Math.max(c.x1[i], c.x1[j]);
  const h = Math.min(c.y2[i], c.y2[j]) - Math.max(c.y1[i], c.y1[j]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (c.x2[i] - c.x1[i]) * (c.y2[i] - c.y1[i]) + (c.x2[j] - c.x1[j]) * (c.y2[j] - c.y1[j]) - inter;
  return union > 0 ? inter / union : 0;
}
