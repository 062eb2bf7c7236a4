// Decides when series and studies are complete: by expected counts the data announce, else by a
// quiet period; a late instance reopens a complete study as a new revision. Completion of a study
// writes a durable study_completions row that the router consumes.
import { insertCompletion } from '../db/completions.js';
import type { Db } from '../db/database.js';
import { countInstancesOfSeries, countInstancesOfStudy } from '../db/instances.js';
import {
  claimSweep, findStudy, insertStudy, lockStudyOfSeries, markSeriesComplete, markStudyComplete, receivingSeriesOfStudy,
  receivingSeriesQuietSince, receivingStudiesQuietSince,
  recordStudyArrival, reopenStudy, seriesExpectedInstances, seriesStatesOfStudy, studyExpectedInstances, upsertSeries,
} from '../db/studies.js';

export interface Arrival {
  studyUid: string;
  seriesUid: string;
  values: Record<string, string>;
  source: 'dimse' | 'stow';
  callingAe: string | null;
  receivedAt: number;
}

export interface CompletionEvent {
  kind: 'series-complete' | 'study-complete' | 'study-reopened';
  studyUid: string;
  seriesUid?: string;
  reason?: 'quiet-period' | 'expected-count';
  revision?: number;
  instances?: number;
}

export interface QuietPeriods { seriesMs: number; studyMs: number }

/** Records one stored instance; runs inside the store's transaction. */
export function recordArrival(db: Db, a: Arrival): CompletionEvent[] {
  const events: CompletionEvent[] = [];
  const v = a.values;
  const study = findStudy(db, a.studyUid);
  // Another node may insert the same new study at the same moment: then this arrival is one more for it.
  const inserted = !study && insertStudy(db, {
    studyUid: a.studyUid, patientId: v.PatientID ?? null, patientName: v.PatientName ?? null,
    studyDate: v.StudyDate ?? null, studyDescription: v.StudyDescription ?? null,
    accessionNumber: v.AccessionNumber ?? null, expectedInstances: count(v.NumberOfStudyRelatedInstances),
    receivedAt: a.receivedAt, sources: [a.source], callingAes: a.callingAe ? [a.callingAe] : [],
  });
  if (!inserted) {
    const known = study ?? findStudy(db, a.studyUid)!;
    // Only one of two nodes' arrivals reopens it (the update is conditional, so the other waits and finds it open).
    if (known.state === 'complete' && reopenStudy(db, a.studyUid)) {
      events.push({ kind: 'study-reopened', studyUid: a.studyUid, revision: known.revision + 1 });
    }
    recordStudyArrival(db, a.studyUid, a.receivedAt, addToSet(known.sources, a.source),
      addToSet(known.callingAes, a.callingAe), count(v.NumberOfStudyRelatedInstances));
  }
  upsertSeries(db, {
    seriesUid: a.seriesUid, studyUid: a.studyUid, modality: v.Modality ?? null, seriesNumber: v.SeriesNumber ?? null,
    seriesDescription: v.SeriesDescription ?? null, bodyPart: v.BodyPartExamined ?? null,
    expectedInstances: count(v.NumberOfSeriesRelatedInstances) ?? count(v.ImagesInAcquisition),
    receivedAt: a.receivedAt,
  });
  const seriesExpected = seriesExpectedInstances(db, a.seriesUid);
  if (seriesExpected !== null && countInstancesOfSeries(db, a.seriesUid) >= seriesExpected) {
    events.push(...completeSeries(db, a.seriesUid, 'expected-count', a.receivedAt));
  }
  const studyExpected = studyExpectedInstances(db, a.studyUid);
  if (studyExpected !== null && countInstancesOfStudy(db, a.studyUid) >= studyExpected) {
    events.push(...completeStudy(db, a.studyUid, 'expected-count', a.receivedAt));
  }
  return events;
}

/**
 * Completes what has been quiet long enough. A study whose every series reached its announced
 * count only waits the (shorter) series quiet period: the data say it is whole.
 */
export function sweepQuietPeriods(db: Db, q: QuietPeriods, now: number): CompletionEvent[] {
  const events: CompletionEvent[] = [];
  if (!claimSweep(db)) return events; // another node is sweeping now
  for (const uid of receivingSeriesQuietSince(db, now - q.seriesMs))
    events.push(...completeSeries(db, uid, 'quiet-period', now));
  for (const s of receivingStudiesQuietSince(db, now - Math.min(q.seriesMs, q.studyMs))) {
    if (now - s.last >= q.studyMs) events.push(...completeStudy(db, s.uid, 'quiet-period', now));
    else if (allSeriesCompleteByCount(db, s.uid)) events.push(...completeStudy(db, s.uid, 'expected-count', now));
  }
  return events;
}

function completeSeries(db: Db, seriesUid: string, reason: 'quiet-period' | 'expected-count',
  now: number): CompletionEvent[] {
  lockStudyOfSeries(db, seriesUid);
  const studyUid = markSeriesComplete(db, seriesUid, reason, now);
  return studyUid
    ? [{ kind: 'series-complete', studyUid, seriesUid, reason, instances: countInstancesOfSeries(db, seriesUid) }] : [];
}

function completeStudy(db: Db, studyUid: string, reason: 'quiet-period' | 'expected-count',
  now: number): CompletionEvent[] {
  const events: CompletionEvent[] = [];
  for (const uid of receivingSeriesOfStudy(db, studyUid)) events.push(...completeSeries(db, uid, reason, now));
  const revision = markStudyComplete(db, studyUid, now);
  if (revision === undefined) return events;
  const instances = countInstancesOfStudy(db, studyUid);
  insertCompletion(db, studyUid, revision, reason, instances, now);
  events.push({ kind: 'study-complete', studyUid, reason, revision, instances });
  return events;
}

function allSeriesCompleteByCount(db: Db, studyUid: string): boolean {
  const rows = seriesStatesOfStudy(db, studyUid);
  return rows.length > 0 && rows.every((r) => r.state === 'complete' && r.reason === 'expected-count');
}

function count(v: string | undefined): number | null {
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function addToSet(values: string[], value: string | null): string[] {
  const set = new Set<string>(values);
  if (value) set.add(value);
  return [...set];
}
