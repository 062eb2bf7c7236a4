// Decides when series and studies are complete: by expected counts the data announce, else by a
// quiet period; a late instance reopens a complete study as a new revision. Completion of a study
// writes a durable study_completions row that the router consumes.
import { prepared, type Db } from '../db/database.js';

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
  const study = prepared(db, 'SELECT state, revision, sources, calling_aes FROM studies WHERE study_uid = ?').get(a.studyUid) as
    | { state: string; revision: number; sources: string; calling_aes: string }
    | undefined;
  if (!study) insertStudy(db, a);
  else {
    if (study.state === 'complete') {
      prepared(db, "UPDATE studies SET state = 'receiving', revision = revision + 1, completed_at = NULL WHERE study_uid = ?").run(a.studyUid);
      events.push({ kind: 'study-reopened', studyUid: a.studyUid, revision: study.revision + 1 });
    }
    prepared(db, 'UPDATE studies SET last_received_at = ?, sources = ?, calling_aes = ?, expected_instances = COALESCE(?, expected_instances) WHERE study_uid = ?').run(
      a.receivedAt, addToSet(study.sources, a.source), addToSet(study.calling_aes, a.callingAe), count(a.values.NumberOfStudyRelatedInstances), a.studyUid,
    );
  }
  upsertSeries(db, a);
  const series = prepared(db, 'SELECT expected_instances AS expected FROM series WHERE series_uid = ?').get(a.seriesUid) as { expected: number | null };
  if (series.expected !== null && seriesInstanceCount(db, a.seriesUid) >= series.expected) {
    events.push(...completeSeries(db, a.seriesUid, 'expected-count', a.receivedAt));
  }
  const expected = prepared(db, 'SELECT expected_instances AS e FROM studies WHERE study_uid = ?').get(a.studyUid) as { e: number | null };
  if (expected.e !== null && studyInstanceCount(db, a.studyUid) >= expected.e) {
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
  const quietSeries = prepared(db, "SELECT series_uid AS uid FROM series WHERE state = 'receiving' AND last_received_at <= ?").all(now - q.seriesMs) as { uid: string }[];
  for (const s of quietSeries) events.push(...completeSeries(db, s.uid, 'quiet-period', now));
  const candidates = prepared(db, "SELECT study_uid AS uid, last_received_at AS last FROM studies WHERE state = 'receiving' AND last_received_at <= ?").all(now - Math.min(q.seriesMs, q.studyMs)) as { uid: string; last: number }[];
  for (const s of candidates) {
    if (now - s.last >= q.studyMs) events.push(...completeStudy(db, s.uid, 'quiet-period', now));
    else if (allSeriesCompleteByCount(db, s.uid)) events.push(...completeStudy(db, s.uid, 'expected-count', now));
  }
  return events;
}

function completeSeries(db: Db, seriesUid: string, reason: 'quiet-period' | 'expected-count', now: number): CompletionEvent[] {
  const r = prepared(db, "UPDATE series SET state = 'complete', completed_at = ?, completion_reason = ? WHERE series_uid = ? AND state = 'receiving' RETURNING study_uid AS studyUid").get(now, reason, seriesUid) as { studyUid: string } | undefined;
  return r ? [{ kind: 'series-complete', studyUid: r.studyUid, seriesUid, reason, instances: seriesInstanceCount(db, seriesUid) }] : [];
}

function completeStudy(db: Db, studyUid: string, reason: 'quiet-period' | 'expected-count', now: number): CompletionEvent[] {
  const events: CompletionEvent[] = [];
  const open = prepared(db, "SELECT series_uid AS uid FROM series WHERE study_uid = ? AND state = 'receiving'").all(studyUid) as { uid: string }[];
  for (const s of open) events.push(...completeSeries(db, s.uid, reason, now));
  const r = prepared(db, "UPDATE studies SET state = 'complete', completed_at = ? WHERE study_uid = ? AND state = 'receiving' RETURNING revision").get(now, studyUid) as { revision: number } | undefined;
  if (!r) return events;
  const instances = studyInstanceCount(db, studyUid);
  prepared(db, 'INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at) VALUES (?, ?, ?, ?, ?)').run(studyUid, r.revision, reason, instances, now);
  events.push({ kind: 'study-complete', studyUid, reason, revision: r.revision, instances });
  return events;
}

function allSeriesCompleteByCount(db: Db, studyUid: string): boolean {
  const rows = prepared(db, 'SELECT state, completion_reason AS reason FROM series WHERE study_uid = ?').all(studyUid) as { state: string; reason: string | null }[];
  return rows.length > 0 && rows.every((r) => r.state === 'complete' && r.reason === 'expected-count');
}

function insertStudy(db: Db, a: Arrival): void {
  const v = a.values;
  prepared(db, 
    `INSERT INTO studies (study_uid, patient_id, patient_name, study_date, study_description, accession_number, state, expected_instances,
                          first_received_at, last_received_at, sources, calling_aes)
     VALUES (?, ?, ?, ?, ?, ?, 'receiving', ?, ?, ?, ?, ?)`,
  ).run(a.studyUid, v.PatientID ?? null, v.PatientName ?? null, v.StudyDate ?? null, v.StudyDescription ?? null, v.AccessionNumber ?? null,
    count(v.NumberOfStudyRelatedInstances), a.receivedAt, a.receivedAt, JSON.stringify([a.source]), JSON.stringify(a.callingAe ? [a.callingAe] : []));
}

function upsertSeries(db: Db, a: Arrival): void {
  const v = a.values;
  const expected = count(v.NumberOfSeriesRelatedInstances) ?? count(v.ImagesInAcquisition);
  prepared(db, 
    `INSERT INTO series (series_uid, study_uid, modality, series_number, series_description, body_part, state, expected_instances, first_received_at, last_received_at)
     VALUES (?, ?, ?, ?, ?, ?, 'receiving', ?, ?, ?)
     ON CONFLICT(series_uid) DO UPDATE SET state = 'receiving', completed_at = NULL, completion_reason = NULL,
       last_received_at = excluded.last_received_at, expected_instances = COALESCE(excluded.expected_instances, expected_instances)`,
  ).run(a.seriesUid, a.studyUid, v.Modality ?? null, v.SeriesNumber ?? null, v.SeriesDescription ?? null, v.BodyPartExamined ?? null, expected, a.receivedAt, a.receivedAt);
}

function seriesInstanceCount(db: Db, seriesUid: string): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM instances WHERE series_uid = ?').get(seriesUid) as { n: number }).n;
}

function studyInstanceCount(db: Db, studyUid: string): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM instances WHERE study_uid = ?').get(studyUid) as { n: number }).n;
}

function count(v: string | undefined): number | null {
  const n = v === undefined ? NaN : Number.parseInt(v, 10);
  return Number.isFinite(n) && n > 0 ? n : null;
}

function addToSet(json: string, value: string | null): string {
  const set = new Set<string>(JSON.parse(json) as string[]);
  if (value) set.add(value);
  return JSON.stringify([...set]);
}
