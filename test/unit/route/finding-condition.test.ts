// The Finding condition: validation with exact paths, evaluation on study and series scope, and what the dry run says.
import { describe, expect, it } from 'vitest';
import {
  evaluateRules, validateRuleSet, type Rule, type RuleProblem, type StudyFinding
} from '../../../src/route/index.js';
import { ruleUsesFindings } from '../../../src/route/findings.js';
import { rule, series, study } from './facts-builders.js';

const known = { models: ['cxr-frontal', 'cxr-metal'], destinations: ['pacs'] };
const frontal = { scheme: 'SCT', value: '399348003', meaning: 'Frontal' };
const finding = (over: Partial<StudyFinding> = {}): StudyFinding => ({
  model: 'cxr-frontal', code: frontal, present: true, score: 0.82, seriesInstanceUid: '1.2.3', resultId: 7, ...over,
});

const chained = (test: Record<string, unknown>): Record<string, any> => ({
  id: 'metal-on-frontal', name: 'detector where the classifier says frontal', enabled: true, priority: 20,
  then: 'continue', when: { Finding: test },
  actions: [{ type: 'runModel', model: 'cxr-metal', series: { pick: 'all' }, outputs: ['SR'], destinations: ['pacs'] }],
});
const good = { model: 'cxr-frontal', code: { scheme: 'SCT', value: '399348003' }, present: true, minScore: 0.7 };

function problems(test: Record<string, unknown>): RuleProblem[] {
  const r = validateRuleSet({ rules: [chained(test)] }, known);
  return r.ok ? [] : r.problems;
}

describe('validation', () => {
  it('accepts a Finding in when, inside all/not, and in a series selector', () => {
    expect(problems(good)).toEqual([]);
    const r = chained(good);
    r.when = { all: [{ attribute: 'Modality', op: 'equals', value: 'DX' },
      { not: { Finding: { ...good, present: false, minScore: undefined } } }] };
    r.actions[0].series.where = { Finding: { model: 'cxr-frontal', code: good.code } };
    expect(validateRuleSet({ rules: [JSON.parse(JSON.stringify(r))] }, known)).toMatchObject({ ok: true });
  });

  it('names each bad value by its path', () => {
    expect(problems({ ...good, model: 'nope' })).toEqual(
      [{ path: '/rules/0/when/Finding/model', message: "unknown model 'nope'; known: cxr-frontal, cxr-metal" }]);
    expect(problems({ ...good, minScore: 1.5 }).map((p) => p.path)).toEqual(['/rules/0/when/Finding/minScore']);
    expect(problems({ ...good, present: 'yes' }).map((p) => p.path)).toEqual(['/rules/0/when/Finding/present']);
    expect(problems({ ...good, code: { scheme: 'SCT' } })).toEqual(
      [{ path: '/rules/0/when/Finding/code/value', message: "required property 'value' is missing" }]);
    expect(problems({ model: 'cxr-frontal' })).toEqual(
      [{ path: '/rules/0/when/Finding/code', message: "required property 'code' is missing" }]);
    expect(problems({ ...good, colour: 'red' }).map((p) => p.path)).toEqual(['/rules/0/when/Finding/colour']);
    expect(problems({ ...good, present: false })).toEqual([{ path: '/rules/0/when/Finding/minScore',
      message: 'minScore tests a present finding; remove it or drop present: false' }]);
  });

  it('refuses a node mixing Finding with another key', () => {
    const r = chained(good);
    r.when.attribute = 'Modality';
    const result = validateRuleSet({ rules: [r] }, known);
    expect(result.ok ? [] : result.problems.map((p) => p.path)).toEqual(['/rules/0/when/attribute']);
  });
});

describe('evaluation', () => {
  const run = (findings: StudyFinding[] | undefined, test: Record<string, unknown> = good) => {
    const facts = study({ Modality: 'DX' }, [series('1.2.3', { Modality: 'DX' }), series('1.2.4', { Modality: 'DX' })],
      findings ? { findings } : {});
    return evaluateRules({ rules: [chained(test) as Rule] }, facts).outcomes[0]!;
  };

  it('passes on a present finding of that model and code with a score at or above minScore', () => {
    const o = run([finding()]);
    expect(o.matched).toBe(true);
    expect(o.trace[0]).toMatchObject(
      { path: '/when', scope: 'study', passed: true, actual: ["'Frontal' (SCT 399348003) present (score 0.82)"] });
    expect(o.trace[0]!.why).toBe(
      "result 7 of cxr-frontal: 'Frontal' (SCT 399348003) present (score 0.82), present with score ≥ 0.7");
    expect(run([finding({ score: 0.7 })]).matched).toBe(true);
  });

  it('fails below minScore, on an absent finding, another model or code, a null score, or no findings yet', () => {
    const low = run([finding({ score: 0.69 })]);
    expect(low.matched).toBe(false);
    expect(low.trace[0]!.why).toBe(
      "cxr-frontal reported 'Frontal' (SCT 399348003) present (score 0.69), not present with score ≥ 0.7");
    expect(run([finding({ present: false, score: 0.2 })]).matched).toBe(false);
    expect(run([finding({ model: 'cxr-metal' })]).matched).toBe(false);
    expect(run([finding({ code: { ...frontal, value: '399173006' } })]).matched).toBe(false);
    expect(run([finding({ score: null })]).matched).toBe(false);
    const none = run(undefined);
    expect(none.matched).toBe(false);
    expect(none.trace[0]).toMatchObject(
      { actual: null, why: "no result of cxr-frontal on this study reports SCT 399348003 yet" });
  });

  it('present: false passes on an absent finding; without minScore any score passes', () => {
    expect(run([finding({ present: false, score: 0.1 })],
      { model: 'cxr-frontal', code: good.code, present: false }).matched).toBe(true);
    expect(run([finding({ score: 0.01 })], { model: 'cxr-frontal', code: good.code }).matched).toBe(true);
  });

  it('in a series selector only findings made on that series count', () => {
    const r = chained(good);
    delete r.when;
    r.actions[0].series.where = { Finding: good };
    const facts = study({ Modality: 'DX' }, [series('1.2.3', { Modality: 'DX' }), series('1.2.4', { Modality: 'DX' })],
      { findings: [finding({ seriesInstanceUid: '1.2.4' })] });
    const d = evaluateRules({ rules: [r as Rule] }, facts);
    expect(d.planned.map((p) => p.seriesInstanceUids)).toEqual([['1.2.4']]);
    const traces = d.outcomes[0]!.trace;
    expect(traces.map((t) => [t.scope, t.passed])).toEqual([['1.2.3', false], ['1.2.4', true]]);
    expect(traces[0]!.why).toBe('no result of cxr-frontal on this series reports SCT 399348003 yet');
  });

  it('ruleUsesFindings finds a Finding anywhere in a rule, and only there', () => {
    expect(ruleUsesFindings(chained(good) as Rule)).toBe(true);
    const nested = chained(good);
    nested.when = { any: [{ attribute: 'Modality', op: 'equals', value: 'DX' }] };
    nested.actions[0].series.where = { all: [{ not: { Finding: good } }] };
    expect(ruleUsesFindings(nested as Rule)).toBe(true);
    expect(ruleUsesFindings(rule('plain',
      { when: { attribute: 'Modality', op: 'equals', value: 'Finding' } }))).toBe(false);
  });
});
