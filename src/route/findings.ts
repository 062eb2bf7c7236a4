// The Finding condition: does an earlier result of this study (or of this series) have such a finding?
import type { FindingCondition, FindingTest, Rule, StudyFinding } from './types.js';
import type { FactScope } from './facts.js';

export interface FindingVerdict { passed: boolean; actual: unknown; why: string }

/**
 * Looks at the findings of `model` with the test's code (scheme and value) among the scope's results: in series
 * scope only those made on that series. Passes when one is present (or absent, `present: false`) with a score of at
 * least minScore; `actual` lists every finding of that model and code, so the dry run shows what was there.
 */
export function findingVerdict(test: FindingTest, scope: FactScope): FindingVerdict {
  const want = test.present ?? true;
  const sameKind = (scope.study.findings ?? []).filter((f) => f.model === test.model
    && f.code.scheme === test.code.scheme && f.code.value === test.code.value
    && (!scope.series || f.seriesInstanceUid === scope.series.seriesInstanceUid));
  const what = describeFindingTest(test);
  if (sameKind.length === 0) {
    const where = scope.series ? 'this series' : 'this study';
    return { passed: false, actual: null,
      why: `no result of ${test.model} on ${where} reports ${codeName(test.code)} yet` };
  }
  const hit = sameKind.find((f) => f.present === want
    && (test.minScore === undefined || (f.score !== null && f.score >= test.minScore)));
  const actual = sameKind.map(show);
  return hit
    ? { passed: true, actual, why: `result ${hit.resultId} of ${test.model}: ${show(hit)}, ${what}` }
    : { passed: false, actual, why: `${test.model} reported ${actual.join('; ')}, not ${what}` };
}

/** "present with score ≥ 0.7" */
export function describeFindingTest(t: FindingTest): string {
  const state = (t.present ?? true) ? 'present' : 'absent';
  return t.minScore === undefined ? state : `${state} with score ≥ ${t.minScore}`;
}

/** Whether a rule looks at findings anywhere: only such rules can decide differently once a result is stored. */
export function ruleUsesFindings(rule: Rule): boolean {
  const nodes: unknown[] = [rule.when, ...rule.actions.map((a) => ('series' in a ? a.series?.where
    : a.type === 'measure' ? a.segmentation?.where : undefined))];
  const visit = (n: unknown): boolean => {
    if (typeof n !== 'object' || n === null) return false;
    if ('Finding' in n) return true;
    return Object.values(n).some((v) => (Array.isArray(v) ? v.some(visit) : visit(v)));
  };
  return nodes.some(visit);
}

export function isFindingCondition(n: unknown): n is FindingCondition {
  return typeof n === 'object' && n !== null && 'Finding' in n;
}

function show(f: StudyFinding): string {
  return `${codeName(f.code)} ${f.present ? 'present' : 'absent'}${f.score === null ? '' : ` (score ${Number(f.score.toFixed(4))})`}`;
}

function codeName(c: FindingTest['code']): string {
  return c.meaning ? `'${c.meaning}' (${c.scheme} ${c.value})` : `${c.scheme} ${c.value}`;
}
