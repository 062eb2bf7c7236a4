// Rule evaluation: nested combinators, priority order, stop vs continue, disabled rules, the explicit catch-all.
import { describe, expect, it } from 'vitest';
import { evaluateRules, type ConditionNode, type Rule } from '../../../src/route/index.js';
import { AXIAL, rule, series, study } from './facts-builders.js';

const ctChest = study({ Modality: 'CT', BodyPartExamined: 'CHEST', StudyDescription: 'CT THORAX', SliceThickness: 1 }, [
  series('1.1', { Modality: 'CT', SeriesNumber: 1, ImageOrientationPatient: AXIAL }, 120),
  series('1.2', { Modality: 'CT', SeriesNumber: 2, ImageOrientationPatient: AXIAL }, 240),
]);
const matches = (when: ConditionNode, s = ctChest) =>
  evaluateRules({ rules: [rule('r', { when })] }, s).outcomes[0]!.matched;

describe('combinators', () => {
  const isCt: ConditionNode = { attribute: 'Modality', op: 'equals', value: 'CT' };
  const isMr: ConditionNode = { attribute: 'Modality', op: 'equals', value: 'MR' };
  const chest: ConditionNode = { attribute: 'BodyPartExamined', op: 'in', value: ['CHEST', 'LUNG'] };
  it('all needs every child', () => {
    expect(matches({ all: [isCt, chest] })).toBe(true);
    expect(matches({ all: [isCt, isMr] })).toBe(false);
  });
  it('any needs one child', () => {
    expect(matches({ any: [isMr, chest] })).toBe(true);
    expect(matches({ any: [isMr, { not: isCt }] })).toBe(false);
  });
  it('not inverts', () => {
    expect(matches({ not: isMr })).toBe(true);
    expect(matches({ not: isCt })).toBe(false);
  });
  it('nests: all(any(MR, all(CT, not(thick))), chest)', () => {
    const thick: ConditionNode = { attribute: 'SliceThickness', op: '>', value: 3 };
    expect(matches({ all: [{ any: [isMr, { all: [isCt, { not: thick }] }] }, chest] })).toBe(true);
    const thickCt = study({ ...ctChest.header, SliceThickness: '5' }, ctChest.series);
    expect(matches({ all: [{ any: [isMr, { all: [isCt, { not: thick }] }] }, chest] }, thickCt)).toBe(false);
  });
  it('traces every condition, also those after a failing one, with its path in the rule', () => {
    const outcome =
      evaluateRules({ rules: [rule('r', { when: { all: [isMr, { any: [chest, isCt] }] } })] }, ctChest).outcomes[0]!;
    expect(outcome.trace.map((t) => [t.path, t.passed, t.actual])).toEqual([
      ['/when/all/0', false, 'CT'], ['/when/all/1/any/0', true, 'CHEST'], ['/when/all/1/any/1', true, 'CT'],
    ]);
  });
});

describe('TimeOfDay ranges', () => {
  const office: ConditionNode =
    { all: [{ attribute: 'TimeOfDay', op: '>=', value: 800 }, { attribute: 'TimeOfDay', op: '<', value: 1800 }] };
  const night: ConditionNode =
    { any: [{ attribute: 'TimeOfDay', op: '>=', value: 2200 }, { attribute: 'TimeOfDay', op: '<', value: 600 }] };
  const at = (h: number, m: number) => new Date(2024, 5, 1, h, m);
  const decide = (when: ConditionNode, now: Date) =>
    evaluateRules({ rules: [rule('r', { when })] }, ctChest, { now }).outcomes[0]!.matched;
  it('a daytime range from two conditions', () => {
    expect([decide(office, at(7, 59)), decide(office, at(8, 0)), decide(office, at(17, 59)), decide(office, at(18, 0))])
      .toEqual([false, true, true, false]);
  });
  it('a range crossing midnight with any', () => {
    expect([decide(night, at(23, 30)), decide(night, at(0, 10)), decide(night, at(5, 59)), decide(night, at(12, 0))])
      .toEqual([true, true, true, false]);
  });
  it('without opts.now the study completion time is used', () => {
    const late = { ...ctChest, completedAt: at(23, 5) };
    expect(evaluateRules({ rules: [rule('r', { when: night })] }, late).outcomes[0]!.trace[0]!.actual).toBe(2305);
  });
});

describe('rule order, stop and continue', () => {
  const ct: ConditionNode = { attribute: 'Modality', op: 'equals', value: 'CT' };
  const forward = (to: string) => ({ type: 'forward' as const, destinations: [to] });
  it('evaluates in ascending priority, ties in set order', () => {
    const rules: Rule[] = [
      rule('late', { priority: 30, actions: [forward('c')] }),
      rule('tie-a', { priority: 20, actions: [forward('a')] }),
      rule('early', { priority: 5, actions: [forward('first')] }),
      rule('tie-b', { priority: 20, actions: [forward('b')] }),
    ];
    const d = evaluateRules({ rules }, ctChest);
    expect(d.outcomes.map((o) => o.ruleId)).toEqual(['early', 'tie-a', 'tie-b', 'late']);
    expect(d.planned.map((p) => p.ruleId)).toEqual(['early', 'tie-a', 'tie-b', 'late']);
  });
  it('continue goes on; stop ends evaluation and later rules are not evaluated', () => {
    const rules: Rule[] = [
      rule('a', { priority: 1, when: ct, then: 'continue', actions: [forward('archive')] }),
      rule('b', { priority: 2, when: ct, then: 'stop', actions: [forward('pacs')] }),
      rule('c', { priority: 3, then: 'stop', actions: [{ type: 'discard' }] }),
    ];
    const d = evaluateRules({ rules }, ctChest);
    expect(d.outcomes.map((o) => [o.ruleId, o.matched, o.evaluated])).toEqual(
      [['a', true, true], ['b', true, true], ['c', false, false]]);
    expect(d.outcomes[2]!.trace[0]!.why).toContain("rule 'b' matched earlier and has then=stop");
    expect(d.planned.map((p) => p.action)).toEqual([forward('archive'), forward('pacs')]);
    expect(d.planned[0]!.seriesInstanceUids).toEqual(['1.1', '1.2']);
  });
  it('a stop rule that does not match does not stop', () => {
    const rules = [rule('mr', { priority: 1, when: { attribute: 'Modality', op: 'equals', value: 'MR' },
      then: 'stop' }), rule('next', { priority: 2 })];
    expect(evaluateRules({ rules }, ctChest).outcomes.map((o) => o.evaluated)).toEqual([true, true]);
  });
  it('a disabled rule is listed, not evaluated, and explains why', () => {
    const rules = [rule('off', { priority: 1, enabled: false, then: 'stop' }), rule('on',
      { priority: 2, actions: [forward('pacs')] })];
    const d = evaluateRules({ rules }, ctChest);
    expect(d.outcomes[0]).toMatchObject(
      { ruleId: 'off', enabled: false, matched: false, evaluated: false, actions: [] });
    expect(d.outcomes[0]!.trace.map((t) => t.why)).toEqual(['rule disabled']);
    expect(d.planned.map((p) => p.ruleId)).toEqual(['on']);
  });
  it('a rule without conditions is an explicit catch-all; so is an empty all', () => {
    const mr = study({ Modality: 'MR' }, [series('9.1', { Modality: 'MR' })]);
    for (const r of [rule('catch-all'), rule('catch-all', { when: { all: [] } })]) {
      const d =
        evaluateRules({ rules: [rule('ct', { priority: 1, when: ct, then: 'stop' }), { ...r, priority: 99 }] }, mr);
      expect(d.outcomes.map((o) => o.matched)).toEqual([false, true]);
      expect(d.planned).toEqual([{ action: { type: 'discard' }, seriesInstanceUids: ['9.1'], ruleId: 'catch-all' }]);
    }
  });
  it('no rule matches: nothing is planned (there is no implicit catch-all)', () => {
    const d =
      evaluateRules({ rules: [rule('mr', { when: { attribute: 'Modality', op: 'equals', value: 'MR' } })] }, ctChest);
    expect(d.planned).toEqual([]);
  });
  it('is deterministic and does not modify its input', () => {
    const rules = [rule('a', { when: ct, actions: [forward('x')] })];
    const copy = structuredClone({ rules, ctChest });
    expect(evaluateRules({ rules }, ctChest)).toEqual(evaluateRules({ rules }, ctChest));
    expect({ rules, ctChest }).toEqual(copy);
  });
});
