// Fixtures for the rule validation tests: a good rule set, the known models and destinations, problem paths.
import { validateRuleSet, type RuleProblem } from '../../../src/route/index.js';

export const known = { models: ['ct-body-lung', 'unet3d-bench'], destinations: ['pacs-main', 'archive'] };

export function goodRule(): Record<string, any> {
  return {
    id: 'ct-chest', name: 'CT chest → lung model', description: 'thin axial CT of the chest', enabled: true,
    priority: 10, when: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' },
      { any: [{ attribute: 'BodyPartExamined', op: 'in', value: ['CHEST', 'LUNG'] },
        { attribute: 'StudyDescription', op: 'matches', value: '(thorax|chest)' }] }] },
    actions: [
      { type: 'runModel', model: 'ct-body-lung',
        series: { where: { not: { attribute: 'ImageType', op: 'contains', value: 'LOCALIZER' } }, pick: 'thinnest' },
        outputs: ['SEG', 'SR'], destinations: ['reply-to-sender', 'pacs-main'] },
      { type: 'forward', destinations: ['archive'] },
    ],
    then: 'continue',
  };
}
export const catchAll = () => ({ id: 'catch-all', name: 'everything else', enabled: true, priority: 1000,
  actions: [{ type: 'discard' }], then: 'stop' });

/** The problems of a rule set whose first rule was changed by `edit`. */
export function problemsAfter(edit: (r: Record<string, any>) => void): RuleProblem[] {
  const r = goodRule();
  edit(r);
  const result = validateRuleSet({ rules: [r, catchAll()] }, known);
  return result.ok ? [] : result.problems;
}
export const paths = (problems: RuleProblem[]) => problems.map((p) => p.path);
