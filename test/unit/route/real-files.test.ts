// Rules against headers of real DICOM files (pydicom, highdicom, dcmqi corpora), read as the node reads them.
import { describe, expect, it } from 'vitest';
import { describeAction, evaluateRules, validateRuleSet, type RuleSet } from '../../../src/route/index.js';
import { readHeader, series, study, studyFromFiles } from './facts-builders.js';

const known = { models: ['ct-body-lung'], destinations: ['pacs'] };
const headCt = ['highdicom/CT2_17106', 'highdicom/CT2_17136', 'highdicom/CT2_17166', 'highdicom/CT2_17196'];

// Written as an admin would write the rules file; validated before use as every path does.
const rules = {
  rules: [
    {
      id: 'head-ct', name: 'Head CT to the model', enabled: true, priority: 10, then: 'stop',
      when: { all: [{ attribute: 'Modality', op: 'equals', value: 'ct' },
        { attribute: '(0018,0015)', op: 'in', value: ['HEAD', 'BRAIN'] },
        { attribute: 'StudyDescription', op: 'matches', value: 'head|brain' }] },
      actions: [{ type: 'runModel', model: 'ct-body-lung',
        series: { where: { all: [{ attribute: 'ImageType', op: 'contains', value: 'AXIAL' },
          { attribute: 'Orientation', op: 'equals', value: 'axial' }] }, pick: 'thinnest' },
        outputs: ['SEG'], destinations: ['reply-to-sender'] }],
    },
    { id: 'thin-mr', name: 'thin MR to PACS', enabled: true, priority: 20, then: 'stop', when: { all: [
      { attribute: 'Modality', op: 'equals', value: 'MR' }, { attribute: 'SliceThickness', op: '<', value: 1 }] },
      actions: [{ type: 'forward', destinations: ['pacs'] }] },
    { id: 'rest', name: 'everything else', enabled: true, priority: 1000, then: 'stop',
      actions: [{ type: 'discard' }] },
  ],
};

describe('real files', () => {
  const check = validateRuleSet(rules, known);
  it('the rule set is valid', () => expect(check.ok).toBe(true));
  const ruleSet = rules as RuleSet;

  it('highdicom head CT (4 slices): the head rule runs the model on its axial series', () => {
    const facts = studyFromFiles(headCt);
    expect(facts.series).toHaveLength(1);
    expect(facts.series[0]!.numberOfInstances).toBe(4);
    const d = evaluateRules(ruleSet, facts);
    expect(d.outcomes.map((o) => [o.ruleId, o.matched, o.evaluated])).toEqual(
      [['head-ct', true, true], ['thin-mr', false, false], ['rest', false, false]]);
    expect(d.planned.map(describeAction)).toEqual(
      ['runModel ct-body-lung on 1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.2 → SEG to reply-to-sender']);
    const traces = d.outcomes[0]!.trace;
    expect(traces.map((t) => t.actual)).toEqual(
      ['CT', 'HEAD', 'CT, HEAD/BRAIN WO CONTRAST', ['ORIGINAL', 'PRIMARY', 'AXIAL'], 'axial']);
    expect(traces[1]!.why).toBe("(0018,0015) is 'HEAD', in ['HEAD', 'BRAIN']");
  });

  it('pydicom MR_small (0.8 mm): forwarded by the thin-MR rule; the head rule says what it saw', () => {
    const d = evaluateRules(ruleSet, studyFromFiles(['pydicom/MR_small.dcm']));
    expect(d.planned.map((p) => p.ruleId)).toEqual(['thin-mr']);
    const head = d.outcomes[0]!;
    expect(head.matched).toBe(false);
    expect(head.trace.map((t) => t.why)).toEqual(
      ["Modality is 'MR', not equal to 'ct'", '(0018,0015) is missing', 'StudyDescription is missing']);
    expect(d.outcomes[1]!.trace[1]!.why).toBe('SliceThickness 0.8 is < 1');
  });

  it('pydicom CT_small: CT without BodyPartExamined falls to the explicit catch-all', () => {
    const d = evaluateRules(ruleSet, studyFromFiles(['pydicom/CT_small.dcm']));
    expect(d.planned.map((p) => [p.ruleId, p.action.type])).toEqual([['rest', 'discard']]);
  });

  it('a study of a CT series, its SEG and SR: the selector keeps the CT and drops the derived objects', () => {
    const ct = readHeader('dcmqi-ct3/01.dcm');
    const seg = readHeader('dcmqi-seg-sr/liver-seg.dcm');
    const sr = readHeader('dcmqi-seg-sr/tid1500-sr.dcm');
    const facts = study(ct, [series('seg', seg, 1), series('sr', sr, 1), series('ct', ct, 3)]);
    const d = evaluateRules(
      { rules: [{ ...ruleSet.rules[0]!, when: { attribute: 'Modality', op: 'equals', value: 'CT' } }] }, facts);
    expect(d.planned[0]!.seriesInstanceUids).toEqual(['ct']);
    const modalities =
      d.outcomes[0]!.trace.filter((t) => t.condition.attribute === 'ImageType').map((t) => [t.scope, t.passed]);
    expect(modalities).toEqual([['seg', false], ['sr', false], ['ct', true]]);
    expect(seg.Modality).toBe('SEG');
  });
});
