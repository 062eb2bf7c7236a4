// Repository for the studies and series tables: the assembler's writes (arrival, completion,
// reopening), the API's read side, and retention's selection and removal.
import { completionsOfStudy } from './completions.js';
import { prepared, type Db } from './database.js';
import { isPostgres } from './postgres.js';

export type AssemblyState = 'receiving' | 'complete';
export type SeriesCompletionReason = 'quiet-period' | 'expected-count';

export interface NewStudy {
  studyUid: string; patientId: string | null; patientName: string | null; studyDate: string | null;
  studyDescription: string | null; accessionNumber: string | null; expectedInstances: number | null;
  receivedAt: number; sources: string[]; callingAes: string[];
}
export interface SeriesArrival {
  seriesUid: string; studyUid: string; modality: string | null; seriesNumber: string | null;
  seriesDescription: string | null; bodyPart: string | null; expectedInstances: number | null; receivedAt: number;
}

export interface StudySummary {
  studyInstanceUid: string; state: string; revision: number; instances: number; series: number;
  expectedInstances: number | null; firstReceivedAt: string; lastReceivedAt: string; completedAt: string | null;
  sources: string[]; callingAes: string[]; studyDate: string | null; studyDescription: string | null;
  /** Instances received again after they were stored (each replaced the earlier copy). */
  duplicatesReceived: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function listStudies(db: Db, filter: { state?: string; limit: number }): StudySummary[] {
  const rows = db.prepare(`SELECT s.*, (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid) AS n,
            (SELECT COALESCE(SUM(times_received - 1), 0) FROM instances i WHERE i.study_uid = s.study_uid) AS dups,
            (SELECT COUNT(*) FROM series x WHERE x.study_uid = s.study_uid) AS nseries
     FROM studies s WHERE (@state IS NULL OR s.state = @state) ORDER BY s.last_received_at DESC LIMIT @limit`,
  ).all({ state: filter.state ?? null, limit: filter.limit }) as Record<string, any>[];
  return rows.map(toSummary);
}

export function getStudy(db: Db, studyUid: string) {
  const row = db.prepare(`SELECT s.*, (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid) AS n,
            (SELECT COALESCE(SUM(times_received - 1), 0) FROM instances i WHERE i.study_uid = s.study_uid) AS dups,
            (SELECT COUNT(*) FROM series x WHERE x.study_uid = s.study_uid) AS nseries FROM studies s WHERE study_uid = ?`,
  ).get(studyUid) as Record<string, any> | undefined;
  if (!row) return undefined;
  const series = (db.prepare(
    `SELECT x.*, (SELECT COUNT(*) FROM instances i WHERE i.series_uid = x.series_uid) AS n FROM series x WHERE study_uid = ? ORDER BY first_received_at`,
  ).all(studyUid) as Record<string, any>[]).map((x) => ({
    seriesInstanceUid: x.series_uid, modality: x.modality, seriesNumber: x.series_number,
    seriesDescription: x.series_description, state: x.state, instances: x.n, expectedInstances: x.expected_instances,
    completionReason: x.completion_reason, firstReceivedAt: iso(x.first_received_at),
    lastReceivedAt: iso(x.last_received_at), completedAt: iso(x.completed_at),
  }));
  const completions = completionsOfStudy(db, studyUid);
  return { ...toSummary(row), seriesList: series, completions: completions.map((c) =>
    ({ revision: c.revision, reason: c.reason, instances: c.instances, completedAt: iso(c.completedAt) })) };
}

function toSummary(r: Record<string, any>): StudySummary {
  return {
    studyInstanceUid: r.study_uid, state: r.state, revision: r.revision, instances: r.n, series: r.nseries,
    expectedInstances: r.expected_instances, firstReceivedAt: iso(r.first_received_at)!,
    lastReceivedAt: iso(r.last_received_at)!,
    completedAt: iso(r.completed_at), sources: JSON.parse(r.sources), callingAes: JSON.parse(r.calling_aes),
    studyDate: r.study_date, studyDescription: r.study_description, duplicatesReceived: r.dups,
  };
}

export function findStudy(db: Db,
  studyUid: string): { state: AssemblyState; revision: number; sources: string[]; callingAes: string[] } | undefined {
  const r = prepared(db, 'SELECT state, revision, sources, calling_aes FROM studies WHERE study_uid = ?')
    .get(studyUid) as
    | { state: AssemblyState; revision: number; sources: string; calling_aes: string } | undefined;
  return r && { state: r.state, revision: r.revision, sources: JSON.parse(r.sources), callingAes: JSON.parse(r.calling_aes) };
}

/** Inserts the study; false when it exists already (another node's arrival inserted it first). */
export function insertStudy(db: Db, s: NewStudy): boolean {
  return prepared(db,
    `INSERT INTO studies (study_uid, patient_id, patient_name, study_date, study_description, accession_number, state, expected_instances,
                          first_received_at, last_received_at, sources, calling_aes)
     VALUES (?, ?, ?, ?, ?, ?, 'receiving', ?, ?, ?, ?, ?) ON CONFLICT (study_uid) DO NOTHING`,
  ).run(s.studyUid, s.patientId, s.patientName, s.studyDate, s.studyDescription, s.accessionNumber, s.expectedInstances,
    s.receivedAt, s.receivedAt, JSON.stringify(s.sources), JSON.stringify(s.callingAes)).changes === 1;
}

/** A late instance for a complete study: receiving again, as the next revision. */
export function reopenStudy(db: Db, studyUid: string): boolean {
  return prepared(db, "UPDATE studies SET state = 'receiving', revision = revision + 1, completed_at = NULL WHERE study_uid = ? AND state = 'complete'")
    .run(studyUid).changes === 1;
}

export function recordStudyArrival(db: Db, studyUid: string, receivedAt: number, sources: string[],
  callingAes: string[], expected: number | null): void {
  prepared(db, 'UPDATE studies SET last_received_at = ?, sources = ?, calling_aes = ?, expected_instances = COALESCE(?, expected_instances) WHERE study_uid = ?')
    .run(receivedAt, JSON.stringify(sources), JSON.stringify(callingAes), expected, studyUid);
}

export function upsertSeries(db: Db, a: SeriesArrival): void {
  prepared(db,
    `INSERT INTO series (series_uid, study_uid, modality, series_number, series_description, body_part, state, expected_instances, first_received_at, last_received_at)
     VALUES (?, ?, ?, ?, ?, ?, 'receiving', ?, ?, ?)
     ON CONFLICT(series_uid) DO UPDATE SET state = 'receiving', completed_at = NULL, completion_reason = NULL,
       last_received_at = excluded.last_received_at, expected_instances = COALESCE(excluded.expected_instances, series.expected_instances)`,
  ).run(a.seriesUid, a.studyUid, a.modality, a.seriesNumber, a.seriesDescription, a.bodyPart, a.expectedInstances,
    a.receivedAt, a.receivedAt);
}

export function seriesExpectedInstances(db: Db, seriesUid: string): number | null {
  return (prepared(db, 'SELECT expected_instances AS e FROM series WHERE series_uid = ?').get(seriesUid) as
    { e: number | null }).e;
}

export function studyExpectedInstances(db: Db, studyUid: string): number | null {
  return (prepared(db, 'SELECT expected_instances AS e FROM studies WHERE study_uid = ?').get(studyUid) as
    { e: number | null }).e;
}

export function receivingSeriesQuietSince(db: Db, before: number): string[] {
  return (prepared(db, "SELECT series_uid AS uid FROM series WHERE state = 'receiving' AND last_received_at <= ? ORDER BY study_uid, series_uid")
    .all(before) as { uid: string }[]).map((r) => r.uid);
}

export function receivingStudiesQuietSince(db: Db, before: number): Array<{ uid: string; last: number }> {
  return prepared(db, "SELECT study_uid AS uid, last_received_at AS last FROM studies WHERE state = 'receiving' AND last_received_at <= ? ORDER BY study_uid")
    .all(before) as Array<{ uid: string; last: number }>;
}

/**
 * Several nodes sweep the same tables: one sweeps at a time (a lock held to the end of the transaction; the others
 * skip this tick). SQLite has one writer, and one node.
 */
export function claimSweep(db: Db): boolean {
  return !isPostgres(db) || (prepared(db, 'SELECT pg_try_advisory_xact_lock(7247002) AS ok').get() as { ok: number }).ok === 1;
}

/** PostgreSQL: an arrival locks its study before its series; completing a series takes the locks in the same order. */
export function lockStudyOfSeries(db: Db, seriesUid: string): void {
  if (isPostgres(db)) prepared(db, 'SELECT 1 FROM studies WHERE study_uid = (SELECT study_uid FROM series WHERE series_uid = ?) FOR UPDATE').get(seriesUid);
}

/** Receiving → complete; returns the series' study, or undefined when it was complete already. */
export function markSeriesComplete(db: Db, seriesUid: string, reason: SeriesCompletionReason,
  now: number): string | undefined {
  const r = prepared(db, "UPDATE series SET state = 'complete', completed_at = ?, completion_reason = ? WHERE series_uid = ? AND state = 'receiving' RETURNING study_uid AS studyUid")
    .get(now, reason, seriesUid) as { studyUid: string } | undefined;
  return r?.studyUid;
}

export function receivingSeriesOfStudy(db: Db, studyUid: string): string[] {
  return (prepared(db,
    "SELECT series_uid AS uid FROM series WHERE study_uid = ? AND state = 'receiving'").all(studyUid) as
    { uid: string }[]).map((r) => r.uid);
}

/** Receiving → complete; returns the revision completed, or undefined when it was complete already. */
export function markStudyComplete(db: Db, studyUid: string, now: number): number | undefined {
  const r = prepared(db, "UPDATE studies SET state = 'complete', completed_at = ? WHERE study_uid = ? AND state = 'receiving' RETURNING revision").get(now, studyUid) as { revision: number } | undefined;
  return r?.revision;
}

export function seriesStatesOfStudy(db: Db,
  studyUid: string): Array<{ state: AssemblyState; reason: SeriesCompletionReason | null }> {
  return prepared(db, 'SELECT state, completion_reason AS reason FROM series WHERE study_uid = ?').all(studyUid) as
    Array<{ state: AssemblyState; reason: SeriesCompletionReason | null }>;
}

/** The study's series in arrival order (the router's facts). */
export function seriesUidsOfStudy(db: Db, studyUid: string): string[] {
  return (prepared(db,
    'SELECT series_uid AS uid FROM series WHERE study_uid = ? ORDER BY first_received_at').all(studyUid) as
    { uid: string }[]).map((r) => r.uid);
}

export function studiesReceivedSince(db: Db, since: number): string[] {
  return (prepared(db,
    'SELECT study_uid AS uid FROM studies WHERE last_received_at >= ? ORDER BY last_received_at DESC').all(since) as
    { uid: string }[]).map((r) => r.uid);
}

/** Retention's candidates: complete studies last received before the cutoff. */
export function completeStudiesReceivedBefore(db: Db, cutoff: number): string[] {
  return (prepared(db,
    "SELECT study_uid AS uid FROM studies WHERE state = 'complete' AND last_received_at < ?").all(cutoff) as
    { uid: string }[]).map((r) => r.uid);
}

/**
 * Retention, first step of its transaction: the study row, locked on a shared queue so that a second node's retention
 * waits for the first one's and then finds it gone. False when the study is no longer there (or no longer complete).
 */
export function lockCompleteStudy(db: Db, studyUid: string): boolean {
  const lock = isPostgres(db) ? ' FOR UPDATE' : '';
  const row = prepared(db, `SELECT 1 AS ok FROM studies WHERE study_uid = ? AND state = 'complete'${lock}`).get(studyUid);
  return row !== undefined;
}

/** Retention: the study's series and the study row, after everything that references them. */
export function deleteStudyAndSeries(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM series WHERE study_uid = ?').run(studyUid);
  prepared(db, 'DELETE FROM studies WHERE study_uid = ?').run(studyUid);
}
