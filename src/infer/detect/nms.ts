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
  const kept: number[] = [];
  for (const i of order) {
    if (kept.length >= options.maxBoxes) break;
    if (suppress && overlapsKept(c, i, kept, options)) continue;
    kept.push(i);
  }
  return kept;
}

function overlapsKept(c: Candidates, i: number, kept: number[], options: DetectionOptions): boolean {
  for (const j of kept) {
    if (!options.classAgnostic && c.classIndex[j] !== c.classIndex[i]) continue;
    if (iou(c, i, j) > options.iouThreshold) return true;
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
