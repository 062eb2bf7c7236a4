// Classification post-processing: a model's per-class outputs → scores (softmax across classes, or sigmoid per class)
// → one finding per class, Present when its score reaches the class's operating point, Absent (not omitted) below it.
import type { ClassificationOutput, Code } from './manifest.js';

export interface ClassFinding {
  code: Code;
  score: number;
  /** the operating point the decision used */
  threshold: number;
  present: boolean;
}

/** Scores of one image from its raw outputs (one value per class, in class order). */
export function classScores(raw: ArrayLike<number>, activation: ClassificationOutput['activation']): number[] {
  const values = Array.from(raw, Number);
  if (activation === 'sigmoid') return values.map((x) => 1 / (1 + Math.exp(-x)));
  if (activation === 'none') return values;
  const max = Math.max(...values);
  const exps = values.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** Present/absent per class at its operating point (score ≥ threshold is present). */
export function classFindings(scores: number[], output: ClassificationOutput): ClassFinding[] {
  if (scores.length !== output.classes.length) {
    throw new RangeError(`${scores.length} scores for ${output.classes.length} classes`);
  }
  return output.classes.map((c, n) =>
    ({ code: c.code, score: scores[n]!, threshold: c.threshold, present: scores[n]! >= c.threshold }));
}
