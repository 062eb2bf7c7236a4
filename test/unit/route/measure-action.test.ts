// The measure action: validated with its feature configuration (every problem by path), one per rule, and routed
// to the study's Segmentation Storage series (by SOP class), optionally filtered by its own selector.
import { describe, expect, it } from 'vitest';
import { evaluateRules, type Action } from '../../../src/route/index.js';
import { validateRule } from '../../../src/route/validate.js';
import { describeAction } from '../../../src/route/explain.js';
import { AXIAL, rule, series, study } from './facts-builders.js';

const SEG = '1.2.840.10008.5.1.4.1.1.66.4';
const RTSTRUCT = '1.2.840.10008.5.1.4.1.1.481.3';
const ct = series('2.1',
  { Modality: 'CT', SeriesNumber: 1, SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ImageOrientationPatient: AXIAL }, 3);
const segA = series('2.7',
  { Modality: 'SEG', SeriesNumber: 7, SOPClassUID: SEG, SeriesDescription: 'Liver (dcmqi)' }, 1);
const segB = series('2.8', { Modality: 'SEG', SeriesNumber: 8, SOPClassUID: SEG, SeriesDescription: 'Lesions' }, 1);
const rts = series('2.9',
  { Modality: 'RTSTRUCT', SeriesNumber: 9, SOPClassUID: RTSTRUCT, SeriesDescription: 'Contours' }, 1);
const rtDose = series('2.10',
  { Modality: 'RTDOSE', SeriesNumber: 10, SOPClassUID: '1.2.840.10008.5.1.4.1.1.481.2' }, 1);
const known = { models: ['ct-body-lung'], destinations: ['pacs'] };
const measure = (extra: Record<string, unknown> = {}): Action =>
  ({ type: 'measure', destinations: ['pacs'], ...extra }) as Action;
const planned = (action: Action, s = study({ Modality: 'CT' }, [ct, segA, segB])) =>
  evaluateRules({ rules: [rule('r', { actions: [action] })] }, s).outcomes[0]!.actions[0]!;

describe('measure action: validation', () => {
  const withActions = (actions: unknown[]) =>
    ({ id: 'm', name: 'Measure', enabled: true, priority: 1, then: 'stop', actions });

  it('accepts a bare measure action and one with a selector and a partial feature configuration', () => {
    expect(validateRule(withActions([measure()]), known)).toMatchObject({ ok: true });
    expect(validateRule(withActions([measure({
      segmentation: { pick: 'first', where: { attribute: 'SeriesDescription', op: 'contains', value: 'liver' } },
      features: { families: ['morphology', 'glcm'], resampling: { spacingMm: 1 } },
    })]), known)).toMatchObject({ ok: true });
  });

  it('names every problem by path: feature configuration, selector, destination, a second measure action', () => {
    const result = validateRule(withActions([
      measure({ features: { resegmentation: { range: [400, -1000] } }, destinations: ['nowhere'],
        segmentation: { pick: 'all', where: { attribute: 'NumberOfSeries', op: '>', value: 1 } } }),
      measure(),
    ]), known);
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining([
      '/actions/0/features/resegmentation/range', '/actions/0/segmentation/where/attribute',
      '/actions/0/destinations/0', '/actions/1',
    ]));
  });

  it('refuses an unknown property and an unknown family', () => {
    const result = validateRule(withActions([measure({ model: 'x', features: { families: ['shape'] } })]), known);
    const problems = result.ok ? [] : result.problems.map((p) => p.path);
    expect(problems).toEqual(expect.arrayContaining(['/actions/0/model', '/actions/0/features/families/0']));
  });
});

describe('measure action: routing', () => {
  it('selects every SEG series by SOP class, never the CT', () => {
    expect(planned(measure()).seriesInstanceUids).toEqual(['2.7', '2.8']);
  });
  it('filters the SEG series with its own selector', () => {
    const only = planned(measure(
      { segmentation: { pick: 'all', where: { attribute: 'SeriesDescription', op: 'contains', value: 'liver' } } }));
    expect(only.seriesInstanceUids).toEqual(['2.7']);
    expect(describeAction(only)).toBe('measure IBSI features of SEG/RTSTRUCT series 2.7 → SR to pacs');
  });
  it('selects RT Structure Set series by SOP class beside the SEGs, never another RT object', () => {
    const s = study({ Modality: 'CT' }, [ct, segA, rts, rtDose]);
    expect(planned(measure(), s).seriesInstanceUids).toEqual(['2.7', '2.9']);
    const rtOnly = planned(measure(
      { segmentation: { pick: 'all', where: { attribute: 'Modality', op: 'equals', value: 'RTSTRUCT' } } }), s);
    expect(rtOnly.seriesInstanceUids).toEqual(['2.9']);
    expect(planned(measure(), study({ Modality: 'CT' }, [ct, rts])).seriesInstanceUids).toEqual(['2.9']);
  });
  it('plans nothing, with a note, for a study without a SEG', () => {
    const none = planned(measure(), study({ Modality: 'CT' }, [ct]));
    expect(none.seriesInstanceUids).toEqual([]);
    expect(none.note).toBe('the study has no Segmentation Storage or RT Structure Set series');
  });
});
