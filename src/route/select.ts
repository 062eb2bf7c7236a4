// Series selectors: which series of a study an action applies to (filter with `where`, then pick).
import type { ConditionTrace, SeriesFacts, SeriesSelector, StudyFacts } from './types.js';
import { decisiveTraces, evaluateNode, toNumber } from './conditions.js';
import { lookupFact } from './facts.js';

import type { MeasureAction } from './types.js';
import { SOP } from '../dicom/uids.js';

export interface Selection { seriesInstanceUids: string[]; note?: string }

/**
 * Filters the study's series with the selector's `where` (each series seen as its header, its instance count
 * and its Orientation), then picks: `thinnest` (smallest SliceThickness, ties → most instances), `mostInstances`,
 * `first` (lowest SeriesNumber) or `all`. Remaining ties keep the order of lowest SeriesNumber, then arrival.
 */
export function selectSeries(selector: SeriesSelector, study: StudyFacts, now: Date, path: string,
  traces: ConditionTrace[]): Selection {
  if (study.series.length === 0) return { seriesInstanceUids: [], note: 'the study has no series' };
  const kept: SeriesFacts[] = [];
  const removed: Array<{ uid: string; traces: ConditionTrace[] }> = [];
  const where = selector.where;
  for (const series of study.series) {
    if (!where) { kept.push(series); continue; }
    const own: ConditionTrace[] = [];
    const passed = evaluateNode(where, `${path}/where`, { study, series, now }, series.seriesInstanceUid, own);
    for (const t of own) traces.push(t);
    if (passed) kept.push(series);
    else removed.push({ uid: series.seriesInstanceUid, traces: own });
  }
  if (kept.length === 0 && where) {
    // Only now is it worth finding, per series, the conditions that removed it.
    const why = removed.map((r) =>
      `${r.uid} (${decisiveTraces(where, `${path}/where`, r.traces).map((t) => t.why).join('; ')})`);
    return { seriesInstanceUids: [], note: `no series passed ${path}/where: removed ${why.join(', ')}` };
  }
  return { seriesInstanceUids: pick(selector.pick, kept, study, now).map((s) => s.seriesInstanceUid) };
}

/** The SOP classes a measure action measures: a SEG's segments, an RT Structure Set's ROIs. */
const MEASURABLE = new Set<string>([SOP.segmentationStorage, SOP.rtStructureSetStorage]);

/**
 * A measure action's series: the study's Segmentation Storage and RT Structure Set series (by SOP class), then its
 * `segmentation` selector (default: all of them). Which image series a SEG or RTSTRUCT measures is its Referenced
 * Series Sequence (RT Referenced Series Sequence), read by the job from the object itself.
 */
export function selectSegmentations(action: MeasureAction, study: StudyFacts, now: Date, path: string,
  traces: ConditionTrace[]): Selection {
  const segs = study.series.filter((s) => MEASURABLE.has(String(s.header.SOPClassUID)));
  if (segs.length === 0) return { seriesInstanceUids: [],
    note: 'the study has no Segmentation Storage or RT Structure Set series' };
  return selectSeries(action.segmentation ?? { pick: 'all' }, { ...study, series: segs }, now, path, traces);
}

function pick(how: SeriesSelector['pick'], kept: SeriesFacts[], study: StudyFacts, now: Date): SeriesFacts[] {
  if (how === 'all') return kept;
  const ranked = kept.map((series, arrival) => ({ series, arrival,
    thickness: number(series, 'SliceThickness', study, now), number: number(series, 'SeriesNumber', study, now) }));
  const byNumber = (a: (typeof ranked)[0], b: (typeof ranked)[0]) => a.number - b.number || a.arrival - b.arrival;
  const byInstances = (a: (typeof ranked)[0], b: (typeof ranked)[0]) =>
    b.series.numberOfInstances - a.series.numberOfInstances;
  const order = {
    thinnest: (a: (typeof ranked)[0], b: (typeof ranked)[0]) =>
      a.thickness - b.thickness || byInstances(a, b) || byNumber(a, b),
    mostInstances: (a: (typeof ranked)[0], b: (typeof ranked)[0]) =>
      byInstances(a, b) || a.thickness - b.thickness || byNumber(a, b),
    first: byNumber,
  }[how];
  return [ranked.sort(order)[0]!.series];
}

/** A numeric attribute of a series; a missing one sorts last (Infinity). */
function number(series: SeriesFacts, attribute: string, study: StudyFacts, now: Date): number {
  const n = lookupFact(attribute, { study, series, now }).values.map(toNumber).find((v) => v !== null);
  return n ?? Number.POSITIVE_INFINITY;
}
