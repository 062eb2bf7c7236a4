// Repository for study_completions: one durable row per completed study revision, written by the
// assembler and consumed (once) by the router.
import { notify, prepared, type Db } from './database.js';

export type CompletionReason = 'quiet-period' | 'expected-count';

export interface PendingCompletion { id: number; studyUid: string; revision: number; completedAt: number }

export function insertCompletion(db: Db, studyUid: string, revision: number, reason: CompletionReason,
  instances: number, now: number): void {
  notify(db, 'completions');
  prepared(db,
    'INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at) VALUES (?, ?, ?, ?, ?)')
    .run(studyUid, revision, reason, instances, now);
}

/** Completions the router has not consumed yet, oldest first. */
export function unconsumedCompletions(db: Db): PendingCompletion[] {
  return prepared(db, 'SELECT id, study_uid AS studyUid, revision, completed_at AS completedAt FROM study_completions WHERE consumed_at IS NULL ORDER BY id')
    .all() as PendingCompletion[];
}

/** Claims the completion for this router: false when another node's router consumed it first (it writes nothing
 *  then). */
export function markCompletionConsumed(db: Db, id: number, now = Date.now()): boolean {
  return prepared(db,
    'UPDATE study_completions SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL').run(now, id).changes === 1;
}

export function countCompletions(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM study_completions').get() as { n: number }).n;
}

export function completionsOfStudy(db: Db,
  studyUid: string): Array<{ revision: number; reason: CompletionReason; instances: number; completedAt: number }> {
  return prepared(db, 'SELECT revision, reason, instance_count AS instances, completed_at AS completedAt FROM study_completions WHERE study_uid = ? ORDER BY revision')
    .all(studyUid) as Array<{ revision: number; reason: CompletionReason; instances: number; completedAt: number }>;
}

/**
 * A result with findings was stored: its study's latest routed completion is routed again (rules with a Finding
 * condition may match now). A counter, not a flag, so a request made while the router works is not lost.
 */
export function requestReroute(db: Db, studyUid: string): void {
  prepared(db,
    `UPDATE study_completions SET reroute_pending = reroute_pending + 1 WHERE id = (SELECT id FROM study_completions
    WHERE study_uid = ? AND consumed_at IS NOT NULL ORDER BY revision DESC LIMIT 1)`).run(studyUid);
}

export interface PendingReroute extends PendingCompletion { requests: number }

export function pendingReroutes(db: Db): PendingReroute[] {
  return prepared(db,
    `SELECT id, study_uid AS studyUid, revision, completed_at AS completedAt, reroute_pending AS requests
    FROM study_completions WHERE reroute_pending > 0 AND consumed_at IS NOT NULL ORDER BY id`).all() as
    PendingReroute[];
}

/** Clears the requests the router has served (those counted when it read them); false when another node served them. */
export function rerouteDone(db: Db, r: PendingReroute): boolean {
  return prepared(db,
    'UPDATE study_completions SET reroute_pending = reroute_pending - ? WHERE id = ? AND reroute_pending >= ?')
    .run(r.requests, r.id, r.requests).changes === 1;
}

/** Retention: the study's completions go after its jobs (jobs.completion_id references them). */
export function deleteCompletionsOfStudy(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM study_completions WHERE study_uid = ?').run(studyUid);
}
