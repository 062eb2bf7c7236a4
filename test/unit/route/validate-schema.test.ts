// Rule validation, the schema: a valid set passes, schema errors carry exact paths, validateRule on one rule.
import { describe, expect, it } from 'vitest';
import { validateRule, validateRuleSet } from '../../../src/route/index.js';
import { catchAll, goodRule, known, paths, problemsAfter } from './validate-fixtures.js';

describe('a valid rule set', () => {
  it('passes and comes back as the rule set', () => {
    const set = { rules: [goodRule(), catchAll()] };
    expect(validateRuleSet(set, known)).toEqual({ ok: true, ruleSet: set });
  });
  it('accepts tags, node facts, a negative priority and no when', () => {
    expect(problemsAfter((r) => {
      r.priority = -5;
      r.when = { all: [{ attribute: '(0018,0050)', op: '<=', value: 1.5 }, { attribute: '00080070', op: 'exists' },
        { attribute: 'CallingAE', op: 'startsWith', value: 'CT' }, { attribute: 'TimeOfDay', op: '<', value: 1800 },
        { attribute: 'Source', op: 'in', value: ['dimse', 'STOW'] }] };
    })).toEqual([]);
    expect(problemsAfter((r) => { delete r.when; })).toEqual([]);
  });
});

describe('schema errors carry exact paths', () => {
  it('unknown operator', () => {
    const problems = problemsAfter((r) => { r.when.all[0].op = 'eq'; });
    expect(paths(problems)).toEqual(['/rules/0/when/all/0/op']);
    expect(problems[0]!.message).toContain('"eq" is not one of: equals, notEquals');
  });
  it('extra property, named', () => {
    const problems = problemsAfter((r) => { r.actions[0].series.colour = 'red'; });
    expect(problems).toEqual(
      [{ path: '/rules/0/actions/0/series/colour', message: "unknown property 'colour'; allowed: where, pick" }]);
  });
  it('missing name', () => {
    expect(problemsAfter((r) => { delete r.name; })).toEqual(
      [{ path: '/rules/0/name', message: "required property 'name' is missing" }]);
  });
  it('in without an array', () => {
    const problems = problemsAfter((r) => { r.when.all[1].any[0].value = 'CHEST'; });
    expect(paths(problems)).toEqual(['/rules/0/when/all/1/any/0/value']);
    expect(problems[0]!.message).toContain("'in' needs a list");
  });
  it('a value of the wrong kind', () => {
    expect(paths(problemsAfter((r) => { r.when.all[0].value = { text: 'CT' }; }))).toEqual(
      ['/rules/0/when/all/0/value']);
  });
  it('unknown action type, bad pick, bad output, missing destinations', () => {
    const problems = problemsAfter((r) => {
      r.actions[1] = { type: 'forwardStudy', destinations: ['archive'] };
      r.actions[0].series.pick = 'best';
      r.actions[0].outputs = ['SEG', 'RTSTRUCT'];
      delete r.actions[0].destinations;
    });
    expect(paths(problems).sort()).toEqual(['/rules/0/actions/0/destinations', '/rules/0/actions/0/outputs/1',
      '/rules/0/actions/0/series/pick', '/rules/0/actions/1/type']);
  });
  it('a rule without actions, a bad then, and a not-object rule set', () => {
    expect(paths(problemsAfter((r) => { r.actions = []; r.then = 'halt'; }))).toEqual(
      ['/rules/0/actions', '/rules/0/then']);
    expect(validateRuleSet([], known)).toMatchObject(
      { ok: false, problems: [{ path: '', message: 'must be object' }] });
    expect(validateRuleSet({ rules: [], version: 2 }, known)).toMatchObject(
      { ok: false, problems: [{ path: '/version' }] });
  });
});

describe('validateRule: one rule, paths relative to it', () => {
  it('accepts a good rule', () => {
    expect(validateRule(goodRule(), known)).toEqual({ ok: true, rule: goodRule() });
  });
  it('reports paths from the rule root', () => {
    const r = goodRule();
    r.when.all[0].op = 'is';
    r.actions[0].model = 'ct-lung';
    const result = validateRule(r, known);
    expect(result.ok ? [] : paths(result.problems)).toEqual(['/when/all/0/op', '/actions/0/model']);
  });
  it('never throws on garbage', () => {
    for (const junk of [null, 42, 'rule', [], { when: 'x', actions: 'y' },
      { actions: [null, 3, { type: 'runModel', series: 'x' }] }]) {
      expect(validateRule(junk, known).ok).toBe(false);
      expect(validateRuleSet({ rules: [junk] }, known).ok).toBe(false);
    }
  });
});
