// Dry-run words: one line per planned action, and the difference between the live and a proposed rule set.
import { describe, expect, it } from 'vitest';
import { describeAction, diffDecisions, evaluateRules, type Rule } from '../../../src/route/index.js';
import { AXIAL, rule, series, study } from './facts-builders.js';

const facts = study({ Modality: 'CT' }, [series('1.2.3',
  { Modality: 'CT', ImageOrientationPatient: AXIAL, SliceThickness: 1 }, 200), series('1.2.4', { Modality: 'CT' }, 2)]);
const lung: Rule = rule('lung', {
  priority: 1, then: 'stop', when: { attribute: 'Modality', op: 'equals', value: 'CT' },
  actions: [{ type: 'runModel', model: 'ct-body-lung',
    series: { pick: 'thinnest', where: { attribute: 'Orientation', op: 'equals', value: 'axial' } },
    outputs: ['SEG', 'SR'], destinations: ['reply-to-sender'] }],
});
const forward: Rule =
  rule('fwd', { priority: 2, actions: [{ type: 'forward', destinations: ['pacs-main', 'archive'] }] });

describe('describeAction', () => {
  it('runModel names the model, series, outputs and destinations', () => {
    const d = evaluateRules({ rules: [lung] }, facts);
    expect(describeAction(d.planned[0]!)).toBe('runModel ct-body-lung on 1.2.3 → SEG,SR to reply-to-sender');
  });
  it('forward and discard count the series', () => {
    const d = evaluateRules({ rules: [forward, rule('drop', { priority: 3 })] }, facts);
    expect(d.planned.map(describeAction)).toEqual(
      ['forward 2 series as received to pacs-main, archive', 'discard 2 series']);
  });
  it('a runModel with no series carries its note', () => {
    const mr = { ...lung, actions: [{ ...lung.actions[0]!,
      series: { pick: 'all' as const, where: { attribute: 'Modality', op: 'equals' as const, value: 'MR' } } }] };
    const outcome = evaluateRules({ rules: [mr] }, facts).outcomes[0]!;
    expect(describeAction(outcome.actions[0]!)).toMatch(/^runModel ct-body-lung on no series → SEG,SR to reply-to-sender \(no series passed .*1\.2\.3 \(Modality is 'CT', not equal to 'MR'\)/);
  });
});

describe('diffDecisions', () => {
  it('is null when both rule sets decide the same', () => {
    const renamed = { ...lung, name: 'renamed only' };
    expect(diffDecisions(evaluateRules({ rules: [lung, forward] }, facts),
      evaluateRules({ rules: [renamed, forward] }, facts))).toBeNull();
  });
  it('shows matched rules and actions on both sides when they differ', () => {
    const goOn = { ...lung, then: 'continue' as const };
    const diff = diffDecisions(evaluateRules({ rules: [lung, forward] }, facts),
      evaluateRules({ rules: [goOn, forward] }, facts));
    expect(diff).toEqual({
      live: ['lung'], proposed: ['lung', 'fwd'],
      liveActions: ['runModel ct-body-lung on 1.2.3 → SEG,SR to reply-to-sender'],
      proposedActions: ['runModel ct-body-lung on 1.2.3 → SEG,SR to reply-to-sender',
        'forward 2 series as received to pacs-main, archive'],
    });
  });
  it('notices a different series chosen by the same rule', () => {
    const most = { ...lung, actions: [{ ...lung.actions[0]!, series: { pick: 'mostInstances' as const } }] };
    const fewest = { ...lung, actions: [{ ...lung.actions[0]!,
      series: { pick: 'all' as const, where: { attribute: 'NumberOfInstances', op: '<' as const, value: 10 } } }] };
    const diff = diffDecisions(evaluateRules({ rules: [most] }, facts), evaluateRules({ rules: [fewest] }, facts));
    expect(diff?.liveActions).toEqual(['runModel ct-body-lung on 1.2.3 → SEG,SR to reply-to-sender']);
    expect(diff?.proposedActions).toEqual(['runModel ct-body-lung on 1.2.4 → SEG,SR to reply-to-sender']);
  });
});
