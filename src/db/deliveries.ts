// Repository for the deliveries table (the outbox): one row per object × destination, claimed with leases.
import crypto from 'node:crypto';
import { notify, prepared, transaction, type Db } from './database.js';
import { skipLocked } from './jobs.js';

/** Every delivery state, declared once: the API, metrics and retention take theirs from here. */
export const DELIVERY_STATES = ['pending', 'sending', 'delivered', 'failed-permanent', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
/** States the outbox never moves a delivery out of by itself (only a replay does). */
export const FINAL_DELIVERY_STATES: readonly DeliveryState[] = ['delivered', 'failed-permanent', 'dead'];

export interface DeliveryItem {
  jobId: number | null; destinationId: string; path: string; sopClassUid: string; sopInstanceUid: string;
  transferSyntaxUid: string;
  /** the result the object belongs to (the outbox marks it delivered with its last delivery) */
  resultId?: number | null;
}

export interface DeliveryRow {
  id: number; jobId: number | null; resultId: number | null; destinationId: string; sopClassUid: string;
  sopInstanceUid: string; transferSyntaxUid: string; path: string; state: DeliveryState; attempts: number;
  nextAttemptAt: number; leaseUntil: number | null; lastError: string | null;
  createdAt: number; updatedAt: number; deliveredAt: number | null;
  /** The claim holding the row while `sending`: each claim gets a new one, so a stale batch matches nothing. */
  leaseToken: string | null;
}

/** What settling needs of a claimed row: which row, and which claim of it. */
export type DeliveryClaim = Pick<DeliveryRow, 'id' | 'leaseToken'>;

const COLUMNS = `id, job_id AS jobId, result_id AS resultId, destination_id AS destinationId, sop_class_uid AS sopClassUid, sop_instance_uid AS sopInstanceUid,
  transfer_syntax_uid AS transferSyntaxUid, path, state, attempts, next_attempt_at AS nextAttemptAt, lease_until AS leaseUntil,
  last_error AS lastError, created_at AS createdAt, updated_at AS updatedAt, delivered_at AS deliveredAt, lease_token AS leaseToken`;

/** Inserts pending rows; an object already queued for the same job and destination is left alone. Returns how many
 *  are new. */
export function insertDeliveries(db: Db, items: DeliveryItem[], now = Date.now()): number {
  // UNIQUE(job_id, …) treats NULL job ids as all different, so NOT EXISTS (with IS) covers rows without a job.
  const insert = prepared(db, `INSERT INTO deliveries (job_id, result_id, destination_id, sop_class_uid, sop_instance_uid, transfer_syntax_uid, path, state, attempts, next_attempt_at, created_at, updated_at)
    SELECT @jobId, @resultId, @destinationId, @sopClassUid, @sopInstanceUid, @transferSyntaxUid, @path, 'pending', 0, @now, @now, @now
    WHERE NOT EXISTS (SELECT 1 FROM deliveries WHERE job_id IS @jobId AND destination_id = @destinationId AND sop_instance_uid = @sopInstanceUid)
    ON CONFLICT DO NOTHING`);
  if (items.length) notify(db, 'deliveries'); // other nodes' outboxes wake at commit
  // A nested db.transaction is a savepoint, so this joins the caller's transaction when there is one.
  return transaction(db, () => items.reduce((n, i) => n + insert.run({ jobId: i.jobId, resultId: i.resultId ?? null,
    destinationId: i.destinationId, sopClassUid: i.sopClassUid, sopInstanceUid: i.sopInstanceUid,
    transferSyntaxUid: i.transferSyntaxUid, path: i.path, now }).changes, 0));
}

/** Rows left `sending` by a crash or a stop whose lease ran out go back to `pending`. */
export function releaseExpiredLeases(db: Db, now = Date.now()): number {
  return prepared(db, `UPDATE deliveries SET state = 'pending', lease_until = NULL, lease_token = NULL, updated_at = ? WHERE state = 'sending' AND lease_until < ?`).run(now, now).changes;
}

export function destinationsWithDueDeliveries(db: Db, now = Date.now()): string[] {
  return (prepared(db,
    `SELECT DISTINCT destination_id AS d FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ?`).all(now) as
    { d: string }[]).map((r) => r.d);
}

/** When the next pending row falls due (or a lease runs out), for the outbox's wake-up timer. */
export function nextWakeAt(db: Db): number | undefined {
  const r = prepared(db, `SELECT MIN(t) AS t FROM (SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE state = 'pending' UNION ALL SELECT MIN(lease_until) FROM deliveries WHERE state = 'sending') AS due`).get() as { t: number | null };
  return r.t ?? undefined;
}

/** Claims up to `limit` due rows of one destination, oldest due first: sending, leased, attempts + 1, one new token. */
export function claimDeliveries(db: Db, destinationId: string, limit: number, leaseUntil: number,
  now = Date.now()): DeliveryRow[] {
  return transaction(db, () => {
    const rows = prepared(db, `SELECT ${COLUMNS} FROM deliveries WHERE destination_id = ? AND state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?${skipLocked(db)}`)
      .all(destinationId, now, limit) as DeliveryRow[];
    const leaseToken = crypto.randomUUID();
    const claim = prepared(db, `UPDATE deliveries SET state = 'sending', lease_until = ?, lease_token = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?`);
    for (const r of rows) {
      claim.run(leaseUntil, leaseToken, now, r.id);
      Object.assign(r, { state: 'sending', leaseUntil, leaseToken, attempts: r.attempts + 1 });
    }
    return rows;
  });
}

/** Heartbeat of a batch still sending: extends its lease; returns how many of its rows it still holds. */
export function renewDeliveryLeases(db: Db, leaseToken: string, leaseUntil: number): number {
  return prepared(db, `UPDATE deliveries SET lease_until = ? WHERE lease_token = ? AND state = 'sending'`)
    .run(leaseUntil, leaseToken).changes;
}

// The updates below only touch a row still `sending` under the same claim: a row whose lease ran
// out and was claimed again belongs to the newer claim (attempt counts repeat after a replay, tokens do not).
const HELD = `id = @id AND state = 'sending' AND lease_token = @leaseToken`;

const RELEASED = 'lease_until = NULL, lease_token = NULL, updated_at = @now';

export function markDelivered(db: Db, c: DeliveryClaim, now = Date.now()): boolean {
  return prepared(db, `UPDATE deliveries SET state = 'delivered', delivered_at = @now, last_error = NULL, ${RELEASED}
    WHERE ${HELD}`).run({ id: c.id, leaseToken: c.leaseToken, now }).changes === 1;
}

export function markRetry(db: Db, c: DeliveryClaim, nextAttemptAt: number, error: string, now = Date.now()): boolean {
  return prepared(db,
    `UPDATE deliveries SET state = 'pending', next_attempt_at = @nextAttemptAt, last_error = @error, ${RELEASED}
    WHERE ${HELD}`).run({ id: c.id, leaseToken: c.leaseToken, nextAttemptAt, error, now }).changes === 1;
}

export function markFinal(db: Db, c: DeliveryClaim, state: 'failed-permanent' | 'dead', error: string,
  now = Date.now()): boolean {
  return prepared(db, `UPDATE deliveries SET state = @state, last_error = @error, ${RELEASED} WHERE ${HELD}`)
    .run({ id: c.id, leaseToken: c.leaseToken, state, error, now }).changes === 1;
}

export function getDelivery(db: Db, id: number): DeliveryRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM deliveries WHERE id = ?`).get(id) as DeliveryRow | undefined;
}

export interface DeliveryFilter {
  state?: DeliveryState; jobId?: number; resultId?: number; destinationId?: string; limit?: number
}

export function listDeliveries(db: Db, f: DeliveryFilter = {}): DeliveryRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.state) { where.push('state = ?'); args.push(f.state); }
  if (f.jobId !== undefined) { where.push('job_id = ?'); args.push(f.jobId); }
  if (f.resultId !== undefined) { where.push('result_id = ?'); args.push(f.resultId); }
  if (f.destinationId) { where.push('destination_id = ?'); args.push(f.destinationId); }
  const sql =
    `SELECT ${COLUMNS} FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
  return prepared(db, sql).all(...args, f.limit ?? 100) as DeliveryRow[];
}

/** Dead or permanently failed → pending again with a fresh attempt count. False when the row is in another state. */
export function replayDelivery(db: Db, id: number, now = Date.now()): boolean {
  return prepared(db, `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_until = NULL, lease_token = NULL, updated_at = ? WHERE id = ? AND state IN ('dead', 'failed-permanent')`).run(now, now, id).changes === 1;
}

export function countDeliveriesByState(db: Db): Map<string, number> {
  return new Map((prepared(db, 'SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state').all() as
    Array<{ state: string; n: number }>).map((r) => [r.state, r.n]));
}

/** Deliveries of the study's jobs (result objects and forwarded instances) with their state. */
export function deliveriesOfStudy(db: Db, studyUid: string): Array<{ id: number; state: DeliveryState }> {
  return prepared(db,
    'SELECT id, state FROM deliveries WHERE job_id IN (SELECT id FROM jobs WHERE study_uid = ?) ORDER BY id')
    .all(studyUid) as Array<{ id: number; state: DeliveryState }>;
}

/** Retention: first of the study's rows, as they reference its jobs. */
export function deleteDeliveriesOfStudy(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM deliveries WHERE job_id IN (SELECT id FROM jobs WHERE study_uid = ?)').run(studyUid);
}
