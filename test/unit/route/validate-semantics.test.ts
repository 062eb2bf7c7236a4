// Rule validation, the meaning: semantic problems, the regex guard and the review policy, each with its JSON path.
import { describe, expect, it } from 'vitest';
import { validateRuleSet } from '../../../src/route/index.js';
import { catchAll, goodRule, known, paths, problemsAfter } from './validate-fixtures.js';

describe('semantic problems', () => {
  it('unknown model, listing the known ones', () => {
    expect(problemsAfter((r) => { r.actions[0].model = 'ct-lung'; })).toEqual([
      { path: '/rules/0/actions/0/model', message: "unknown model 'ct-lung'; known: ct-body-lung, unet3d-bench" },
    ]);
  });
  it('unknown destination; reply-to-sender is always allowed', () => {
    const problems = problemsAfter((r) => { r.actions[1].destinations = ['archive', 'pacs-backup']; });
    expect(paths(problems)).toEqual(['/rules/0/actions/1/destinations/1']);
    expect(problems[0]!.message).toBe("unknown destination 'pacs-backup'; known: pacs-main, archive, reply-to-sender");
  });
  it('unknown keyword, with a suggestion', () => {
    const problems = problemsAfter((r) => { r.when.all[0].attribute = 'Modallity'; });
    expect(paths(problems)).toEqual(['/rules/0/when/all/0/attribute']);
    expect(problems[0]!.message).toContain("unknown attribute 'Modallity'; did you mean 'Modality'?");
  });
  it('bad tags', () => {
    for (const tag of ['(0008,006)', '0008006', '(0008;0060)', '0008006G']) {
      const problems = problemsAfter((r) => { r.when.all[0].attribute = tag; });
      expect(paths(problems), tag).toEqual(['/rules/0/when/all/0/attribute']);
      expect(problems[0]!.message, tag).toContain('not a valid tag');
    }
  });
  it('duplicate rule ids', () => {
    const result = validateRuleSet({ rules: [goodRule(), catchAll(), { ...goodRule(), priority: 20 }] }, known);
    expect(result).toEqual({ ok: false,
      problems: [{ path: '/rules/2/id', message: "duplicate rule id 'ct-chest' (also used by /rules/0)" }] });
  });
  it('runModel without outputs', () => {
    expect(problemsAfter((r) => { r.actions[0].outputs = []; })).toEqual(
      [{ path: '/rules/0/actions/0/outputs', message: 'runModel needs at least one output: SEG, SR or both' }]);
  });
  it('values that do not fit the operator', () => {
    const problems = problemsAfter((r) => {
      r.when.all = [
        { attribute: 'SliceThickness', op: '<', value: '1.5' },
        { attribute: 'Modality', op: 'exists', value: 'CT' },
        { attribute: 'Modality', op: 'equals', value: ['CT', 'MR'] },
        { attribute: 'Modality', op: 'startsWith' },
        { attribute: 'TimeOfDay', op: '>=', value: 1875 },
        { attribute: 'Source', op: 'equals', value: 'stowrs' },
      ];
    });
    expect(paths(problems)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/rules/0/when/all/${i}/value`));
    expect(problems.map((p) => p.message)).toEqual([
      "'<' needs a number, e.g. 1.5 (write 1.5, not \"1.5\")",
      "'exists' takes no value; remove it",
      "'equals' compares with one value; use 'in' for a list",
      "'startsWith' needs a value",
      'TimeOfDay is HHMM on a 24 h clock (0 to 2400, e.g. 1830), not 1875',
      "Source is one of dimse, stow, never 'stowrs'",
    ]);
  });
  it('Orientation only in series selectors, NumberOfSeries only at study level', () => {
    const problems = problemsAfter((r) => {
      r.when.all[0] = { attribute: 'Orientation', op: 'equals', value: 'axial' };
      r.actions[0].series.where = { attribute: 'NumberOfSeries', op: '>', value: 1 };
    });
    expect(paths(problems)).toEqual(['/rules/0/when/all/0/attribute', '/rules/0/actions/0/series/where/attribute']);
  });
  it('reports schema and semantic problems together', () => {
    const problems = problemsAfter((r) => { delete r.name; r.actions[0].model = 'nope'; });
    expect(paths(problems)).toEqual(['/rules/0/name', '/rules/0/actions/0/model']);
  });
});

describe('the regex guard', () => {
  const regexProblems = (value: unknown, caseSensitive?: boolean) =>
    problemsAfter((r) => { r.when.all[1].any[1] = { attribute: 'StudyDescription', op: 'matches', value,
      ...(caseSensitive === undefined ? {} : { caseSensitive }) }; });
  it('refuses a pattern longer than 200 characters', () => {
    const problems = regexProblems('a'.repeat(201));
    expect(paths(problems)).toEqual(['/rules/0/when/all/1/any/1/value']);
    expect(problems[0]!.message).toBe('pattern is 201 characters; at most 200 are allowed');
    expect(regexProblems('a'.repeat(200))).toEqual([]);
  });
  it('refuses a pattern that does not compile, with the engine message', () => {
    const problems = regexProblems('(chest');
    expect(paths(problems)).toEqual(['/rules/0/when/all/1/any/1/value']);
    expect(problems[0]!.message).toMatch(/^pattern does not compile: .*Unterminated group/);
  });
  it.each(['(a+)+', '(.*)*', '^(\\d{1,9})+$', '((ab)*c)+', '(?:x+y)*', '(a|b+){2,}'])(
    'refuses the nested quantifier %s',
    (pattern) => {
      const problems = regexProblems(pattern);
      expect(paths(problems)).toEqual(['/rules/0/when/all/1/any/1/value']);
      expect(problems[0]!.message).toContain('quantified group that contains a quantifier');
    });
  it.each(['^CT\\s+(chest|thorax)', '[+*]+', '(ab)+c*', '\\(a+\\)+', '(a{3})+', 'x(?=y+)', '(a+)?'])(
    'accepts %s',
    (pattern) => {
      expect(regexProblems(pattern)).toEqual([]);
    });
  it('matches needs a string', () => {
    expect(regexProblems(5)[0]!.message).toBe("'matches' needs a regular expression as a string");
  });
});

describe('the review policy of a runModel action', () => {
  it('accepts review "required" and onQcFail "discard", and both left out', () => {
    expect(problemsAfter(
      (r) => { Object.assign(r.actions[0], { review: 'required', onQcFail: 'discard' }); })).toEqual([]);
    expect(problemsAfter((r) => { Object.assign(r.actions[0], { review: 'none', onQcFail: 'review' }); })).toEqual([]);
  });
  it('names a bad review or onQcFail value by its path', () => {
    const problems = problemsAfter((r) => { Object.assign(r.actions[0], { review: 'always', onQcFail: 'drop' }); });
    expect(problems).toEqual([
      { path: '/rules/0/actions/0/review', message: '"always" is not one of: none, required' },
      { path: '/rules/0/actions/0/onQcFail', message: '"drop" is not one of: review, discard' },
    ]);
  });
  it('is a runModel field only: a forward action with review is refused', () => {
    const problems = problemsAfter((r) => { r.actions[1].review = 'required'; });
    expect(problems).toEqual(
      [{ path: '/rules/0/actions/1/review', message: "unknown property 'review'; allowed: type, destinations" }]);
  });
});
