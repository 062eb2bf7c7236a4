// Repository for jobs, their only owner: one durable row per planned action and selected series,
// with the rule and rule-set version that produced it, so the history explains every result; and
// the runner's leases. A claim is identified by its lease token (new on every claim): a job reclaimed after its lease
// ran out is no longer ours. On PostgreSQL several nodes claim from the same table (FOR UPDATE SKIP LOCKED).
import crypto from 'node:crypto';
import { notify, prepared, transaction, type Db } from './database.js';
import { isPostgres } from './postgres.js';

/** Every job state, declared once: the API, metrics and retention take theirs from here. */
export const JOB_STATES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
/** States a job never leaves on its own (retention may remove the study). */
export const FINAL_JOB_STATES: readonly JobState[] = ['done', 'failed', 'cancelled'];

export type JobAction = 'runModel' | 'forward' | 'measure' | 'discard' | 'external' | 'reidentify';
/** The rule's review policy, copied onto each runModel job: hold every result, and what a failed QC check does. */
export interface ReviewPolicy { review: 'none' | 'required'; onQcFail: 'review' | 'discard' }

export interface NewJob { completionId: number; studyUid: string; revision: number; ruleId: string;
  rulesVersion: number; action: JobAction; modelId?: string; seriesUid?: string; outputs?: string[];
  destinations?: string[]; state?: JobState; reason?: string; policy?: ReviewPolicy; }

export interface JobRow {
  id: number; studyInstanceUid: string; revision: number; ruleId: string; rulesVersion: number; action: string;
  modelId: string | null; seriesInstanceUid: string | null; outputs: string[]; destinations: string[]; state: JobState;
  reason: string | null; policy: ReviewPolicy; createdAt: string; updatedAt: string;
  /** The node holding the job's lease while it runs (the last one that held it otherwise). */
  node: string | null; stages: Array<{ stage: string; startedAt: string; endedAt?: string; ms?: number }>;
}

export function insertJob(db: Db, j: NewJob): number {
  const now = Date.now();
  if ((j.state ?? 'pending') === 'pending') notify(db, 'jobs'); // idle runners on other nodes wake at commit
  return Number(prepared(db,
    `INSERT INTO jobs (completion_id, study_uid, revision, rule_id, rules_version, action, model_id, series_uid, outputs, destinations, state, reason,
       review, on_qc_fail, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(j.completionId, j.studyUid, j.revision, j.ruleId, j.rulesVersion, j.action, j.modelId ?? null,
    j.seriesUid ?? null, JSON.stringify(j.outputs ?? []), JSON.stringify(j.destinations ?? []), j.state ?? 'pending',
    j.reason ?? null, j.policy?.review ?? 'none', j.policy?.onQcFail ?? 'review', now, now).lastInsertRowid);
}

/** Whether routing already made this job for this completion (a re-route after stored findings makes only new ones). */
export function jobOfCompletionExists(db: Db,
  j: Pick<NewJob, 'completionId' | 'ruleId' | 'action' | 'modelId' | 'seriesUid'>): boolean {
  return prepared(db, `SELECT 1 FROM jobs WHERE completion_id = ? AND rule_id = ? AND action = ? AND model_id IS ? AND series_uid IS ? LIMIT 1`)
    .get(j.completionId, j.ruleId, j.action, j.modelId ?? null, j.seriesUid ?? null) !== undefined;
}

export function listJobs(db: Db, f: { state?: string; studyUid?: string; limit: number }): JobRow[] {
  return (prepared(db,
    `SELECT * FROM jobs WHERE (@state IS NULL OR state = @state) AND (@study IS NULL OR study_uid = @study) ORDER BY id DESC LIMIT @limit`,
  ).all({ state: f.state ?? null, study: f.studyUid ?? null, limit: f.limit }) as Array<Record<string, any>>).map(toJob);
}

export function getJob(db: Db, id: number): JobRow | undefined {
  const r = prepared(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as Record<string, any> | undefined;
  return r && toJob(r);
}

/** Moves a job from one of `from` to `to`; returns false when it was in another state. */
export function transitionJob(db: Db, id: number, from: JobState[], to: JobState, reason: string | null = null): boolean {
  const placeholders = from.map(() => '?').join(',');
  return prepared(db,
    `UPDATE jobs SET state = ?, reason = ?, updated_at = ? WHERE id = ? AND state IN (${placeholders})`).run(
    to, reason, Date.now(), id, ...from).changes === 1;
}

function toJob(r: Record<string, any>): JobRow {
  return { id: r.id, studyInstanceUid: r.study_uid, revision: r.revision, ruleId: r.rule_id,
    rulesVersion: r.rules_version, action: r.action, modelId: r.model_id, seriesInstanceUid: r.series_uid,
    outputs: JSON.parse(r.outputs), destinations: JSON.parse(r.destinations), state: r.state, reason: r.reason,
    policy: { review: r.review, onQcFail: r.on_qc_fail }, node: r.lease_node ?? null,
    createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    stages: JSON.parse(r.stages),
  };
}

/** The routing stage's timing, written onto every job of one routing in its transaction. */
export function setJobStages(db: Db, id: number, stages: string): void {
  prepared(db, 'UPDATE jobs SET stages = ? WHERE id = ?').run(stages, id);
}

export function jobStages(db: Db,
  id: number): Array<{ stage: string; startedAt: string; endedAt?: string; ms?: number }> | undefined {
  const r = prepared(db, 'SELECT stages FROM jobs WHERE id = ?').get(id) as { stages: string } | undefined;
  return r && JSON.parse(r.stages);
}

export function countJobsByState(db: Db): Map<string, number> {
  return new Map((prepared(db, 'SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as
    Array<{ state: string; n: number }>).map((r) => [r.state, r.n]));
}

/** The study's jobs (every revision) with their state: retention waits until all are final. */
export function jobsOfStudy(db: Db, studyUid: string): Array<{ id: number; state: JobState }> {
  return prepared(db, 'SELECT id, state FROM jobs WHERE study_uid = ? ORDER BY id').all(studyUid) as
    Array<{ id: number; state: JobState }>;
}

/** Retention: after the study's deliveries and result objects, before its completions. */
export function deleteJobsOfStudy(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM jobs WHERE study_uid = ?').run(studyUid);
}

// The runner: claim with a lease, renew it, give expired leases back or fail them, record stage
// timings, finish a claimed job.
export interface ClaimedJob { id: number; attempts: number; leaseToken: string; studyUid: string;
  action: 'runModel' | 'forward' | 'measure' | 'external' | 'reidentify'; modelId: string | null;
  seriesUid: string | null; outputs: string[]; destinations: string[]; ruleId: string; policy: ReviewPolicy; }
export interface StageRecord { stage: string; startedAt: string; endedAt: string; ms: number }

/**
 * Claims up to `limit` pending runModel/forward/measure jobs, oldest first, in one transaction; `owner`: the claimer's
 * boot id, `node`: its node id. Rows another node is claiming right now are skipped, not waited for.
 */
export function claimJobs(db: Db, limit: number, leaseMs: number, now = Date.now(), owner: string | null = null,
  node: string | null = null): ClaimedJob[] {
  if (limit <= 0) return [];
  return transaction(db, () => {
    const rows = prepared(db, `SELECT id, attempts, study_uid, action, model_id, series_uid, outputs, destinations, rule_id, review, on_qc_fail FROM jobs
      WHERE state = 'pending' AND action IN ('runModel','forward','measure','external','reidentify') ORDER BY id LIMIT ?${skipLocked(db)}`).all(limit) as Array<Record<string, any>>;
    const claim = prepared(db, `UPDATE jobs SET state = 'running', lease_until = ?, lease_owner = ?, lease_node = ?, lease_token = ?, attempts = attempts + 1,
      updated_at = ? WHERE id = ? AND state = 'pending'`);
    return rows.flatMap((r) => {
      const leaseToken = crypto.randomUUID();
      if (claim.run(now + leaseMs, owner, node, leaseToken, now, r.id).changes !== 1) return [];
      return [{
        id: r.id, attempts: r.attempts + 1, leaseToken, studyUid: r.study_uid, action: r.action, modelId: r.model_id,
        seriesUid: r.series_uid, outputs: JSON.parse(r.outputs), destinations: JSON.parse(r.destinations),
        ruleId: r.rule_id, policy: { review: r.review, onQcFail: r.on_qc_fail },
      }];
    });
  });
}

/** PostgreSQL: lock the selected rows, skipping those another node holds (SQLite has one writer, and no such clause). */
export function skipLocked(db: Db): string { return isPostgres(db) ? ' FOR UPDATE SKIP LOCKED' : ''; }

/** Heartbeat: extends the lease of a job we still hold; false when it was cancelled or reclaimed. */
export function renewLease(db: Db, job: ClaimedJob, leaseMs: number, now = Date.now()): boolean {
  return prepared(db, `UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_token = ? AND state = 'running'`).run(
    now + leaseMs, job.id, job.leaseToken).changes === 1;
}

/** Graceful stop mid-job: end our lease now so the next start claims the job again at once. */
export function releaseLease(db: Db, job: ClaimedJob, now = Date.now()): void {
  prepared(db, `UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_token = ? AND state = 'running'`).run(
    now, job.id, job.leaseToken);
}

/**
 * On start: leases held by an earlier boot of this node end now, instead of after their whole lease. Recovery then
 * requeues them, counting the attempt. Without `node` (SQLite: the database is the node's own) any other owner is a
 * process that died; on a shared queue only this node's own earlier boots are. Returns the released job ids.
 */
export function releaseLeasesOfEarlierBoots(db: Db, bootId: string, now = Date.now(), node?: string): number[] {
  const sql = `UPDATE jobs SET lease_until = ? WHERE state = 'running' AND lease_owner IS NOT ? AND lease_until >= ?`;
  const rows = node === undefined ? prepared(db, `${sql} RETURNING id`).all(now - 1, bootId, now)
    : prepared(db, `${sql} AND lease_node = ? RETURNING id`).all(now - 1, bootId, now, node);
  return (rows as Array<{ id: number }>).map((r) => r.id);
}

/** Running jobs whose lease ran out (the node died mid-job): back to pending, or failed after maxAttempts. */
export function recoverExpiredLeases(db: Db, maxAttempts: number, now = Date.now()): { requeued: number[]; failed: number[] } {
  return transaction(db, () => {
    const expired = prepared(db,
      `SELECT id, attempts FROM jobs WHERE state = 'running' AND lease_until < ? ORDER BY id${skipLocked(db)}`)
      .all(now) as Array<{ id: number; attempts: number }>;
    // lease_node stays: the dashboard shows which node last held the job. The token goes: the old claim is void.
    const requeue = prepared(db,
      `UPDATE jobs SET state = 'pending', lease_until = NULL, lease_owner = NULL, lease_token = NULL, updated_at = ?
      WHERE id = ? AND state = 'running'`);
    const fail = prepared(db, `UPDATE jobs SET state = 'failed', lease_until = NULL, lease_owner = NULL, lease_token = NULL, reason = ?, updated_at = ?
      WHERE id = ? AND state = 'running'`);
    const out = { requeued: [] as number[], failed: [] as number[] };
    for (const j of expired) {
      if (j.attempts < maxAttempts) { requeue.run(now, j.id); out.requeued.push(j.id); }
      else { fail.run(`JOB_LEASE_EXPIRED: the node stopped during this job ${j.attempts} times (maxAttempts ${maxAttempts})`, now, j.id); out.failed.push(j.id); }
    }
    return out;
  });
}

/** Appends one stage's timing to jobs.stages (the routing stage wrote the first entry). */
export function appendStage(db: Db, job: ClaimedJob, s: StageRecord): void {
  transaction(db, () => {
    const row = prepared(db, 'SELECT stages FROM jobs WHERE id = ? AND lease_token = ?').get(job.id, job.leaseToken) as
      { stages: string } | undefined;
    if (!row) return;
    const stages = (JSON.parse(row.stages) as StageRecord[]).filter((x) => x.stage !== s.stage); // a rerun replaces its earlier try
    prepared(db, 'UPDATE jobs SET stages = ? WHERE id = ?').run(JSON.stringify([...stages, s]), job.id);
  });
}

/** Ends a claimed job (call inside the transaction that made its results durable); false when it is no longer ours. */
export function finishJob(db: Db, job: ClaimedJob, state: 'done' | 'failed', reason: string | null = null,
  now = Date.now()): boolean {
  // The token stays: the same transaction records the export stage under this claim.
  return prepared(db, `UPDATE jobs SET state = ?, reason = ?, lease_until = NULL, lease_owner = NULL, updated_at = ?
    WHERE id = ? AND lease_token = ? AND state = 'running'`).run(state, reason, now, job.id, job.leaseToken).changes === 1;
}
