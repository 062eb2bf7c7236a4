// Durable job states for the runner: claim pending jobs with a lease, renew it while working, give
// expired leases (a crash) back or fail them, record stage timings, finish or fail a claimed job.
// A claim is identified by (id, attempts): a job reclaimed after its lease ran out is no longer ours.
import { prepared, type Db } from '../db/database.js';

export interface ClaimedJob {
  id: number; attempts: number; studyUid: string; action: 'runModel' | 'forward';
  modelId: string | null; seriesUid: string | null; outputs: string[]; destinations: string[];
}
export interface StageRecord { stage: string; startedAt: string; endedAt: string; ms: number }

/** Claims up to `limit` pending runModel/forward jobs, oldest first, in one transaction. */
export function claimJobs(db: Db, limit: number, leaseMs: number, now = Date.now()): ClaimedJob[] {
  if (limit <= 0) return [];
  return db.transaction(() => {
    const rows = prepared(db, `SELECT id, attempts, study_uid, action, model_id, series_uid, outputs, destinations FROM jobs
      WHERE state = 'pending' AND action IN ('runModel','forward') ORDER BY id LIMIT ?`).all(limit) as Array<Record<string, any>>;
    const claim = prepared(db, `UPDATE jobs SET state = 'running', lease_until = ?, attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'`);
    return rows.filter((r) => claim.run(now + leaseMs, now, r.id).changes === 1).map((r) => ({
      id: r.id, attempts: r.attempts + 1, studyUid: r.study_uid, action: r.action, modelId: r.model_id, seriesUid: r.series_uid,
      outputs: JSON.parse(r.outputs), destinations: JSON.parse(r.destinations),
    }));
  })();
}

/** Heartbeat: extends the lease of a job we still hold; false when it was cancelled or reclaimed. */
export function renewLease(db: Db, job: ClaimedJob, leaseMs: number, now = Date.now()): boolean {
  return prepared(db, `UPDATE jobs SET lease_until = ? WHERE id = ? AND attempts = ? AND state = 'running'`).run(now + leaseMs, job.id, job.attempts).changes === 1;
}

/** Graceful stop mid-job: end our lease now so the next start claims the job again at once. */
export function releaseLease(db: Db, job: ClaimedJob, now = Date.now()): void {
  prepared(db, `UPDATE jobs SET lease_until = ? WHERE id = ? AND attempts = ? AND state = 'running'`).run(now, job.id, job.attempts);
}

/** Running jobs whose lease ran out (the node died mid-job): back to pending, or failed after maxAttempts. */
export function recoverExpiredLeases(db: Db, maxAttempts: number, now = Date.now()): { requeued: number[]; failed: number[] } {
  return db.transaction(() => {
    const expired = prepared(db, `SELECT id, attempts FROM jobs WHERE state = 'running' AND lease_until < ?`).all(now) as Array<{ id: number; attempts: number }>;
    const requeue = prepared(db, `UPDATE jobs SET state = 'pending', lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running'`);
    const fail = prepared(db, `UPDATE jobs SET state = 'failed', lease_until = NULL, reason = ?, updated_at = ? WHERE id = ? AND state = 'running'`);
    const out = { requeued: [] as number[], failed: [] as number[] };
    for (const j of expired) {
      if (j.attempts < maxAttempts) { requeue.run(now, j.id); out.requeued.push(j.id); }
      else { fail.run(`JOB_LEASE_EXPIRED: the node stopped during this job ${j.attempts} times (maxAttempts ${maxAttempts})`, now, j.id); out.failed.push(j.id); }
    }
    return out;
  })();
}

/** Appends one stage's timing to jobs.stages (the routing stage wrote the first entry). */
export function appendStage(db: Db, job: ClaimedJob, s: StageRecord): void {
  db.transaction(() => {
    const row = prepared(db, 'SELECT stages FROM jobs WHERE id = ? AND attempts = ?').get(job.id, job.attempts) as { stages: string } | undefined;
    if (!row) return;
    const stages = (JSON.parse(row.stages) as StageRecord[]).filter((x) => x.stage !== s.stage); // a rerun replaces its earlier try
    prepared(db, 'UPDATE jobs SET stages = ? WHERE id = ?').run(JSON.stringify([...stages, s]), job.id);
  })();
}

/** Ends a claimed job (call inside the transaction that made its results durable); false when it is no longer ours. */
export function finishJob(db: Db, job: ClaimedJob, state: 'done' | 'failed', reason: string | null = null, now = Date.now()): boolean {
  return prepared(db, `UPDATE jobs SET state = ?, reason = ?, lease_until = NULL, updated_at = ? WHERE id = ? AND attempts = ? AND state = 'running'`)
    .run(state, reason, now, job.id, job.attempts).changes === 1;
}
