// Repository for external_requests: one row per external job, from the de-identified send until the service's
// results came back (returned) or its time ran out (timed-out, the job then fails with EXTERNAL_TIMEOUT).
import { prepared, type Db } from './database.js';

export const EXTERNAL_REQUEST_STATES = ['waiting', 'returned', 'timed-out'] as const;
export type ExternalRequestState = (typeof EXTERNAL_REQUEST_STATES)[number];
export interface Quarantined { sopInstanceUid: string; code: string; reason: string; path: string }

export interface ExternalRequest {
  id: number; jobId: number; studyUid: string; pseudoStudyUid: string; service: string;
  profile: Record<string, unknown>;
  /** the original series that was sent */
  seriesUid: string | null;
  destinations: string[]; state: ExternalRequestState; deadline: number; returned: number; quarantined: Quarantined[];
  /** the external action's review policy, copied to the reidentify job */
  review: 'none' | 'required';
}

const SELECT = 'SELECT e.*, j.series_uid FROM external_requests e LEFT JOIN jobs j ON j.id = e.job_id';

export type NewExternalRequest = Omit<ExternalRequest, 'id' | 'state' | 'returned' | 'quarantined' | 'seriesUid'>;

export function insertExternalRequest(db: Db, r: NewExternalRequest): number {
  const now = Date.now();
  return Number(prepared(db, `INSERT INTO external_requests (job_id, study_uid, pseudo_study_uid, service, profile,
      destinations, review, state, deadline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?)
      ON CONFLICT (job_id) DO UPDATE SET state = 'waiting', deadline = excluded.deadline,
        updated_at = excluded.updated_at`)
    .run(r.jobId, r.studyUid, r.pseudoStudyUid, r.service, JSON.stringify(r.profile), JSON.stringify(r.destinations),
      r.review, r.deadline, now, now)
    .lastInsertRowid);
}

/** The newest request that sent this pseudonymous study out (any state: a late answer is still recognised). */
export function externalRequestByPseudoStudy(db: Db, pseudoStudyUid: string): ExternalRequest | undefined {
  const r = prepared(db, `${SELECT} WHERE e.pseudo_study_uid = ? ORDER BY e.id DESC LIMIT 1`).get(pseudoStudyUid);
  return r ? toRequest(r as Record<string, any>) : undefined;
}

/** The request whose answer the reidentify job `jobId` handles. */
export function externalRequestOfReturnJob(db: Db, jobId: number): ExternalRequest | undefined {
  const r = prepared(db, `${SELECT} WHERE e.return_job_id = ?`).get(jobId);
  return r ? toRequest(r as Record<string, any>) : undefined;
}

/** Links the reidentify job made for an answer (a later answer links its own). */
export function setReturnJob(db: Db, id: number, jobId: number): void {
  prepared(db, 'UPDATE external_requests SET return_job_id = ?, updated_at = ? WHERE id = ?')
    .run(jobId, Date.now(), id);
}

export function listExternalRequests(db: Db, limit: number): ExternalRequest[] {
  return (prepared(db, `${SELECT} ORDER BY e.id DESC LIMIT ?`).all(limit) as Array<Record<string, any>>).map(toRequest);
}

export function markReturned(db: Db, id: number, returned: number, quarantined: Quarantined[]): void {
  prepared(db, `UPDATE external_requests SET state = 'returned', returned = returned + ?, quarantined = ?,
    updated_at = ? WHERE id = ?`)
    .run(returned, JSON.stringify(quarantined), Date.now(), id);
}

/** Waiting requests past their deadline become timed-out; returns their job ids. */
export function expireExternalRequests(db: Db, now = Date.now()): number[] {
  const rows = prepared(db, "SELECT id, job_id FROM external_requests WHERE state = 'waiting' AND deadline <= ?")
    .all(now) as Array<{ id: number; job_id: number }>;
  const mark = prepared(db,
    "UPDATE external_requests SET state = 'timed-out', updated_at = ? WHERE id = ? AND state = 'waiting'");
  return rows.filter((r) => mark.run(now, r.id).changes === 1).map((r) => r.job_id);
}

function toRequest(r: Record<string, any>): ExternalRequest {
  return {
    id: r.id, jobId: r.job_id, studyUid: r.study_uid, pseudoStudyUid: r.pseudo_study_uid, service: r.service,
    profile: JSON.parse(r.profile),
    seriesUid: r.series_uid ?? null,
    destinations: JSON.parse(r.destinations), state: r.state, deadline: r.deadline, returned: r.returned,
    quarantined: JSON.parse(r.quarantined),
    review: r.review,
  };
}
