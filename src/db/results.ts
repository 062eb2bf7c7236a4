// Repository for results (one row per job × revision: QC, review state, history in result_events) and for
// result_objects, the SEG/SR files a model job wrote, the KOS of a retraction and the other objects an external service
// returned (one row per job × revision × kind × object).
import { prepared, transaction, type Db } from './database.js';
import { deleteFindingsOfStudy } from './findings.js';

/** Every result state, declared once: the API, the page and the outbox take theirs from here. */
export const RESULT_STATES = [
  'awaiting-review', 'awaiting-destination', 'accepted', 'delivered', 'rejected', 'withheld', 'retracted',
] as const;
export type ResultState = (typeof RESULT_STATES)[number];
export type QcState = 'passed' | 'failed' | 'none';
/** A job may run again (a new revision) only once its latest result can never be sent as it is. */
export const RERUNNABLE_RESULT_STATES: readonly ResultState[] = ['rejected', 'withheld', 'retracted'];

/** KOS: a retraction's rejection note; RETURNED: another object an external service returned with the result (a KOS,
 *  an SC, a second SEG or SR), delivered and retracted with it. */
export type ResultKind = 'SEG' | 'SR' | 'KOS' | 'RETURNED';

export interface ResultObject {
  kind: ResultKind; sopClassUid: string; sopInstanceUid: string; seriesInstanceUid: string; transferSyntaxUid: string;
  path: string; size: number;
}

export interface ResultQcReason { segment: string; check: string; message: string; value?: number; limit?: number }
export interface ResultSegment { label: string; present: boolean; volumeMl: number | null; qc: QcState }

export interface NewResult {
  jobId: number; revision: number; state: ResultState; qcState: QcState; qcReasons: ResultQcReason[];
  segments: ResultSegment[]; modelVersion: string | null; heldReason: string | null;
}

export interface ResultRow extends NewResult {
  id: number; reviewedBy: string | null; reviewedAt: number | null; decisionReason: string | null;
  createdAt: number; updatedAt: number;
}

export interface ResultEvent {
  at: number; actor: string; action: string; from: ResultState | null; to: ResultState; reason: string | null;
}

/** Inserts the result and its first history entry (call in the transaction that finishes the job). */
export function insertResult(db: Db, r: NewResult, actor = 'node', now = Date.now()): number {
  const insert = prepared(db,
    `INSERT INTO results (job_id, revision, state, qc_state, qc_reasons, segments, model_version,
    held_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const id = Number(insert.run(r.jobId, r.revision, r.state, r.qcState, JSON.stringify(r.qcReasons),
    JSON.stringify(r.segments), r.modelVersion, r.heldReason, now, now).lastInsertRowid);
  appendEvent(db, id, { at: now, actor, action: 'created', from: null, to: r.state, reason: r.heldReason });
  return id;
}

export interface ResultChange {
  actor: string; action: string; reason?: string | null; heldReason?: string | null;
  /** record the actor and reason as the reviewer's decision */
  review?: boolean;
}

/**
 * Moves a result from one of `from` to `to` with its history entry; false when it was in another state (a
 * concurrent decision won).
 */
export function transitionResult(
  db: Db, id: number, from: readonly ResultState[], to: ResultState, c: ResultChange, now = Date.now(),
): boolean {
  return transaction(db, () => {
    const before = prepared(db, 'SELECT state FROM results WHERE id = ?').get(id) as { state: ResultState } | undefined;
    if (!before || !from.includes(before.state)) return false;
    const review = c.review ? 1 : 0;
    prepared(db, `UPDATE results SET state = ?, held_reason = ?, updated_at = ?,
      reviewed_by = CASE WHEN ? THEN ? ELSE reviewed_by END, reviewed_at = CASE WHEN ? THEN ? ELSE reviewed_at END,
      decision_reason = CASE WHEN ? THEN ? ELSE decision_reason END WHERE id = ?`)
      .run(to, c.heldReason ?? null, now, review, c.actor, review, now, review, c.reason ?? null, id);
    appendEvent(db, id,
      { at: now, actor: c.actor, action: c.action, from: before.state, to, reason: c.reason ?? null });
    return true;
  });
}

function appendEvent(db: Db, resultId: number, e: ResultEvent): void {
  prepared(db, `INSERT INTO result_events (result_id, at, actor, action, from_state, to_state, reason)
    VALUES (?, ?, ?, ?, ?, ?, ?)`).run(resultId, e.at, e.actor, e.action, e.from, e.to, e.reason);
}

export function getResult(db: Db, id: number): ResultRow | undefined {
  const r = prepared(db, 'SELECT * FROM results WHERE id = ?').get(id) as Record<string, any> | undefined;
  return r && toResult(r);
}

export function listResults(db: Db, f: { state?: ResultState; limit: number }): ResultRow[] {
  const rows = prepared(db,
    'SELECT * FROM results WHERE (@state IS NULL OR state = @state) ORDER BY id DESC LIMIT @limit')
    .all({ state: f.state ?? null, limit: f.limit }) as Array<Record<string, any>>;
  return rows.map(toResult);
}

/** The job's newest result (highest revision), if it has one. */
export function latestResultOfJob(db: Db, jobId: number): ResultRow | undefined {
  const r = prepared(db, 'SELECT * FROM results WHERE job_id = ? ORDER BY revision DESC LIMIT 1').get(jobId);
  return r ? toResult(r as Record<string, any>) : undefined;
}

/** The revision the job's next run writes: 1 first, one more after each finished result (a crash retry keeps it). */
export function nextRevision(db: Db, jobId: number): number {
  const r = prepared(db, 'SELECT MAX(revision) AS r FROM results WHERE job_id = ?').get(jobId) as { r: number | null };
  return (r.r ?? 0) + 1;
}

export function resultHistory(db: Db, id: number): ResultEvent[] {
  const rows = prepared(db, 'SELECT * FROM result_events WHERE result_id = ? ORDER BY id').all(id) as
    Array<Record<string, any>>;
  return rows.map((e) =>
    ({ at: e.at, actor: e.actor, action: e.action, from: e.from_state, to: e.to_state, reason: e.reason }));
}

export function countResultsByState(db: Db): Map<string, number> {
  const rows = prepared(db, 'SELECT state, COUNT(*) AS n FROM results GROUP BY state').all() as
    Array<{ state: string; n: number }>;
  return new Map(rows.map((r) => [r.state, r.n]));
}

/**
 * The outbox calls this in the transaction that marks a delivery delivered: an accepted result whose every
 * delivery is now delivered becomes `delivered`. Returns the result id when it moved.
 */
export function settleResultOfDelivery(db: Db, deliveryId: number, now = Date.now()): number | undefined {
  const row = prepared(db, `SELECT r.id FROM deliveries d JOIN results r ON r.id = d.result_id
    WHERE d.id = ? AND r.state = 'accepted'
    AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.result_id = r.id AND o.state <> 'delivered')`).get(deliveryId) as
      { id: number } | undefined;
  if (!row) return undefined;
  const moved = transitionResult(db, row.id, ['accepted'], 'delivered',
    { actor: 'node', action: 'delivered', heldReason: null }, now);
  return moved ? row.id : undefined;
}

/** Destinations that hold the result: those to which at least one of its SEG/SR deliveries was delivered. */
export function destinationsThatReceived(db: Db, resultId: number): string[] {
  const rows = prepared(db,
    `SELECT DISTINCT d.destination_id AS id FROM deliveries d JOIN results r ON r.id = d.result_id
    JOIN result_objects o ON o.job_id = r.job_id AND o.revision = r.revision AND o.sop_instance_uid = d.sop_instance_uid
    WHERE d.result_id = ? AND d.state = 'delivered' AND o.kind <> 'KOS' ORDER BY d.destination_id`).all(resultId);
  return (rows as Array<{ id: string }>).map((r) => r.id);
}

function toResult(r: Record<string, any>): ResultRow {
  return {
    id: r.id, jobId: r.job_id, revision: r.revision, state: r.state, qcState: r.qc_state,
    qcReasons: JSON.parse(r.qc_reasons), segments: JSON.parse(r.segments), modelVersion: r.model_version,
    heldReason: r.held_reason, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at, decisionReason: r.decision_reason,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}

// result_objects

/** A rerun after a crash writes the same objects: the row already there is kept. */
export function insertResultObjects(db: Db, jobId: number, objects: ResultObject[], revision = 1,
  now = Date.now()): void {
  const insert = prepared(db, `INSERT INTO result_objects (job_id, revision, kind, sop_class_uid, sop_instance_uid,
    series_instance_uid, transfer_syntax_uid, path, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (job_id, revision, kind, sop_instance_uid) DO NOTHING`);
  for (const o of objects) {
    insert.run(jobId, revision, o.kind, o.sopClassUid, o.sopInstanceUid, o.seriesInstanceUid, o.transferSyntaxUid,
      o.path, o.size, now);
  }
}

/** The objects of one revision of a job's result, SEG before SR before KOS. */
export function objectsOfResult(db: Db, jobId: number, revision: number): ResultObject[] {
  return prepared(db, `SELECT kind, sop_class_uid AS sopClassUid, sop_instance_uid AS sopInstanceUid,
    series_instance_uid AS seriesInstanceUid, transfer_syntax_uid AS transferSyntaxUid, path, size
    FROM result_objects WHERE job_id = ? AND revision = ?
    ORDER BY CASE kind WHEN 'SEG' THEN 0 WHEN 'SR' THEN 1 ELSE 2 END`).all(jobId, revision) as ResultObject[];
}

/** Result files of every job of the study (retention removes them with the study). */
export function resultFilesOfStudy(db: Db, studyUid: string): Array<{ jobId: number; path: string; size: number }> {
  return prepared(db, `SELECT r.job_id AS jobId, r.path, r.size FROM result_objects r JOIN jobs j ON j.id = r.job_id
    WHERE j.study_uid = ? ORDER BY r.id`).all(studyUid) as Array<{ jobId: number; path: string; size: number }>;
}

/** Retention: after the deliveries (which name results), before the jobs they reference. */
export function deleteResultObjectsOfStudy(db: Db, studyUid: string): void {
  const ofStudy = 'SELECT id FROM jobs WHERE study_uid = ?';
  deleteFindingsOfStudy(db, studyUid);
  prepared(db, `DELETE FROM result_objects WHERE job_id IN (${ofStudy})`).run(studyUid);
  prepared(db,
    `DELETE FROM result_events WHERE result_id IN (SELECT id FROM results WHERE job_id IN (${ofStudy}))`).run(studyUid);
  prepared(db, `DELETE FROM results WHERE job_id IN (${ofStudy})`).run(studyUid);
}

