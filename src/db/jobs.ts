// Repository for jobs: one durable row per planned action and selected series, with the rule and
// rule-set version that produced it, so the history explains every result.
import { prepared, type Db } from './database.js';

export type JobState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface NewJob {
  completionId: number; studyUid: string; revision: number; ruleId: string; rulesVersion: number;
  action: 'runModel' | 'forward' | 'discard'; modelId?: string; seriesUid?: string; outputs?: string[]; destinations?: string[];
  state?: JobState; reason?: string;
}

export interface JobRow {
  id: number; studyInstanceUid: string; revision: number; ruleId: string; rulesVersion: number; action: string;
  modelId: string | null; seriesInstanceUid: string | null; outputs: string[]; destinations: string[]; state: JobState;
  reason: string | null; createdAt: string; updatedAt: string; stages: Array<{ stage: string; startedAt: string; endedAt?: string; ms?: number }>;
}

export function insertJob(db: Db, j: NewJob): number {
  const now = Date.now();
  return Number(prepared(db,
    `INSERT INTO jobs (completion_id, study_uid, revision, rule_id, rules_version, action, model_id, series_uid, outputs, destinations, state, reason, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(j.completionId, j.studyUid, j.revision, j.ruleId, j.rulesVersion, j.action, j.modelId ?? null, j.seriesUid ?? null,
    JSON.stringify(j.outputs ?? []), JSON.stringify(j.destinations ?? []), j.state ?? 'pending', j.reason ?? null, now, now).lastInsertRowid);
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
  return prepared(db, `UPDATE jobs SET state = ?, reason = ?, updated_at = ? WHERE id = ? AND state IN (${placeholders})`).run(to, reason, Date.now(), id, ...from).changes === 1;
}

function toJob(r: Record<string, any>): JobRow {
  return {
    id: r.id, studyInstanceUid: r.study_uid, revision: r.revision, ruleId: r.rule_id, rulesVersion: r.rules_version, action: r.action,
    modelId: r.model_id, seriesInstanceUid: r.series_uid, outputs: JSON.parse(r.outputs), destinations: JSON.parse(r.destinations),
    state: r.state, reason: r.reason, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
    stages: JSON.parse(r.stages),
  };
}
