// Series selectors: a model gets one good series (thinnest axial CT), not every localizer.
import { describe, expect, it } from 'vitest';
import { evaluateRules, type Action, type SeriesSelector } from '../../../src/route/index.js';
import { AXIAL, CORONAL, SAGITTAL, rule, series, study } from './facts-builders.js';

const localizer = series('2.1', { Modality: 'CT', SeriesNumber: 1, ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'],
  ImageOrientationPatient: CORONAL, SliceThickness: 0.5 }, 2);
const axial5mm = series('2.2',
  { Modality: 'CT', SeriesNumber: 2, ImageOrientationPatient: AXIAL, SliceThickness: '5' }, 60);
const axial1mm = series('2.3',
  { Modality: 'CT', SeriesNumber: 3, ImageOrientationPatient: AXIAL, SliceThickness: '1.0' }, 300);
const doseReport = series('2.9', { Modality: 'SR', SeriesNumber: 999 }, 1);
const ctStudy = study({ Modality: 'CT' }, [localizer, axial5mm, axial1mm, doseReport]);

const runModel = (selector: SeriesSelector): Action => ({ type: 'runModel', model: 'ct-body-lung', series: selector,
  outputs: ['SEG', 'SR'], destinations: ['reply-to-sender'] });
const axialCt = { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' },
  { attribute: 'Orientation', op: 'equals', value: 'axial' }] } as const;
const select = (selector: SeriesSelector, s = ctStudy) =>
  evaluateRules({ rules: [rule('r', { actions: [runModel(selector)] })] }, s);
const selected = (selector: SeriesSelector, s = ctStudy) =>
  select(selector, s).outcomes[0]!.actions[0]!.seriesInstanceUids;

describe('series selectors', () => {
  it('thinnest without a filter takes the 0.5 mm localizer: why the filter matters', () => {
    expect(selected({ pick: 'thinnest' })).toEqual(['2.1']);
  });
  it('thinnest among axial CT series takes the 1 mm series, not the localizer or the 5 mm one', () => {
    expect(selected({ pick: 'thinnest', where: axialCt })).toEqual(['2.3']);
  });
  it('thinnest breaks a tie on thickness by the number of instances', () => {
    const twin = series('2.4',
      { Modality: 'CT', SeriesNumber: 4, ImageOrientationPatient: AXIAL, SliceThickness: 1 }, 500);
    expect(selected({ pick: 'thinnest', where: axialCt }, study({}, [axial5mm, axial1mm, twin]))).toEqual(['2.4']);
  });
  it('mostInstances', () => {
    expect(selected({ pick: 'mostInstances' })).toEqual(['2.3']);
    expect(selected({ pick: 'mostInstances', where: { attribute: 'SliceThickness', op: '>=', value: 2 } })).toEqual(
      ['2.2']);
  });
  it('first takes the lowest SeriesNumber that passes the filter', () => {
    expect(selected({ pick: 'first' })).toEqual(['2.1']);
    expect(selected({ pick: 'first', where: axialCt })).toEqual(['2.2']);
  });
  it('all keeps every series that passes, in study order', () => {
    expect(selected({ pick: 'all' })).toEqual(['2.1', '2.2', '2.3', '2.9']);
    expect(selected({ pick: 'all', where: axialCt })).toEqual(['2.2', '2.3']);
  });
  it('a where on Modality + Orientation traces each series with its own values', () => {
    const trace = select({ pick: 'thinnest', where: axialCt }).outcomes[0]!.trace;
    const orientation =
      trace.filter((t) => t.condition.attribute === 'Orientation').map((t) => [t.scope, t.actual, t.passed]);
    expect(orientation).toEqual(
      [['2.1', 'coronal', false], ['2.2', 'axial', true], ['2.3', 'axial', true], ['2.9', null, false]]);
    expect(trace.every((t) =>
      t.path === '/actions/0/series/where/all/0' || t.path === '/actions/0/series/where/all/1')).toBe(true);
  });
  it('orientation: sagittal, and oblique beyond 10° of every axis', () => {
    const tilted = (deg: number) => { const r = (deg * Math.PI) / 180; return [1, 0, 0, 0, Math.cos(r), Math.sin(r)]; };
    const s = study({}, [series('3.1', { ImageOrientationPatient: SAGITTAL }),
      series('3.2', { ImageOrientationPatient: tilted(9) }), series('3.3', { ImageOrientationPatient: tilted(30) }),
      series('3.4', { ImageOrientationPatient: '1\\0\\0\\0\\0\\-1' })]);
    const trace = select({ pick: 'all', where: { attribute: 'Orientation', op: 'exists' } }, s).outcomes[0]!.trace;
    expect(trace.map((t) => t.actual)).toEqual(['sagittal', 'axial', 'oblique', 'coronal']);
  });
  it('NumberOfInstances in a selector is the series count', () => {
    expect(selected({ pick: 'all', where: { attribute: 'NumberOfInstances', op: '>=', value: 100 } })).toEqual(['2.3']);
  });
  it('no series left: an empty action with a note naming each removed series and why; nothing planned', () => {
    const d = select({ pick: 'thinnest', where: { all: [{ attribute: 'Modality', op: 'equals', value: 'MR' }] } },
      study({}, [axial1mm, localizer]));
    const action = d.outcomes[0]!.actions[0]!;
    expect(action.seriesInstanceUids).toEqual([]);
    expect(action.note).toContain("2.3 (Modality is 'CT', not equal to 'MR')");
    expect(action.note).toContain("2.1 (Modality is 'CT', not equal to 'MR')");
    expect(d.outcomes[0]!.matched).toBe(true);
    expect(d.planned).toEqual([]);
  });
  it('a study without series gives a note too', () => {
    expect(select({ pick: 'all' }, study({ Modality: 'CT' })).outcomes[0]!.actions[0]!.note).toBe(
      'the study has no series');
  });
  it('forward and discard apply to every series', () => {
    const d = evaluateRules({ rules: [rule('f',
      { actions: [{ type: 'forward', destinations: ['pacs'] }, { type: 'discard' }] })] }, ctStudy);
    expect(d.planned.map((p) => p.seriesInstanceUids)).toEqual(
      [['2.1', '2.2', '2.3', '2.9'], ['2.1', '2.2', '2.3', '2.9']]);
  });
});
