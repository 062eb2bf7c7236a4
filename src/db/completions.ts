// Repository for study_completions: one durable row per completed study revision, written by the
// assembler and consumed (once) by the router.
import { prepared, type Db } from './database.js';

export type CompletionReason = 'quiet-period' | 'expected-count';

export interface PendingCompletion { id: number; studyUid: string; revision: number; completedAt: number }

export function insertCompletion(db: Db, studyUid: string, revision: number, reason: CompletionReason, instances: number, now: number): void {
  prepared(db, 'INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at) VALUES (?, ?, ?, ?, ?)')
    .run(studyUid, revision, reason, instances, now);
}

/** Completions the router has not consumed yet, oldest first. */
export function unconsumedCompletions(db: Db): PendingCompletion[] {
  return prepared(db, 'SELECT id, study_uid AS studyUid, revision, completed_at AS completedAt FROM study_completions WHERE consumed_at IS NULL ORDER BY id')
    .all() as PendingCompletion[];
}

export function markCompletionConsumed(db: Db, id: number, now = Date.now()): void {
  prepared(db, 'UPDATE study_completions SET consumed_at = ? WHERE id = ?').run(now, id);
}

export function countCompletions(db: Db): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM study_completions').get() as { n: number }).n;
}

export function completionsOfStudy(db: Db, studyUid: string): Array<{ revision: number; reason: CompletionReason; instances: number; completedAt: number }> {
  return prepared(db, 'SELECT revision, reason, instance_count AS instances, completed_at AS completedAt FROM study_completions WHERE study_uid = ? ORDER BY revision')
    .all(studyUid) as Array<{ revision: number; reason: CompletionReason; instances: number; completedAt: number }>;
}

/** Retention: the study's completions go after its jobs (jobs.completion_id references them). */
export function deleteCompletionsOfStudy(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM study_completions WHERE study_uid = ?').run(studyUid);
}
