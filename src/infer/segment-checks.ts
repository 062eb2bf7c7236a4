// The plausibility checks of one segment (SegmentChecks) as a JSON schema and the cross-field rules a schema cannot
// state: shared by the model manifest's segments and the external action's returned segments (route/).
import type { SegmentChecks } from './manifest.js';

// limits are non-negative, fractions 0..1
const range = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: { min: { type: 'number', minimum: 0 }, max: { type: 'number', minimum: 0 } },
};
const fraction = { type: 'number', minimum: 0, maximum: 1 };

export const segmentChecksSchema = {
  type: 'object', additionalProperties: false,
  properties: {
    mayBeAbsent: { type: 'boolean' }, volumeMl: range, volumeMlPerCm: range, volumeMlPerCmOfExtent: range,
    inside: {
      type: 'object', additionalProperties: false, required: ['segment', 'maxFractionOutside'],
      properties: { segment: { type: 'string', minLength: 1 }, maxFractionOutside: fraction },
    },
    maxBorderFraction: fraction,
    maxComponents: { type: 'integer', minimum: 1 },
    ignoreComponentsBelowMl: { type: 'number', exclusiveMinimum: 0 },
  },
  dependencies: { ignoreComponentsBelowMl: ['maxComponents'] }, // draft-07 spelling of dependentRequired
};

export interface ChecksProblem { path: string; message: string }

/**
 * Checks must keep min ≤ max, and `inside` must name another segment of the same set (`owner`: "this model",
 * "this qc"). `at(i)` is the JSON path of segment i's checks. Reads defensively: it may see what the schema refused.
 */
export function segmentChecksProblems(
  segments: ReadonlyArray<{ label: string; checks?: SegmentChecks }>, at: (i: number) => string, owner: string,
): ChecksProblem[] {
  const problems: ChecksProblem[] = [];
  const labels = segments.map((s) => s.label);
  segments.forEach((s, i) => {
    const where = at(i);
    for (const key of ['volumeMl', 'volumeMlPerCm', 'volumeMlPerCmOfExtent'] as const) {
      const r = s.checks?.[key];
      if (typeof r?.min === 'number' && typeof r.max === 'number' && r.min > r.max) {
        problems.push({ path: `${where}/${key}`, message: `min ${r.min} is above max ${r.max}` });
      }
    }
    const inside = s.checks?.inside;
    if (typeof inside?.segment !== 'string') return;
    if (!labels.includes(inside.segment)) {
      problems.push({ path: `${where}/inside/segment`, message: `"${inside.segment}" is not a segment label of `
        + `${owner} (it has ${[...new Set(labels)].map((l) => `"${l}"`).join(', ')})` });
    } else if (inside.segment === s.label) {
      problems.push({ path: `${where}/inside/segment`, message: 'a segment cannot be checked against itself' });
    }
  });
  return problems;
}
