// Releasing a result to the outbox: resolve where its job's rule sends it (as the rule reads now, so an admin's
// fix to the rule counts), queue one delivery per object × destination, and mark it accepted, in one transaction.
// When the destinations cannot be resolved the result waits in awaiting-destination with the reason.
import { transaction, type Db } from '../db/database.js';
import { getJob, type JobRow } from '../db/jobs.js';
import { getResult, objectsOfResult, transitionResult, type ResultChange, type ResultState } from '../db/results.js';
import { currentRules } from '../db/rule-versions.js';
import { DestinationError, resolveDestinations } from '../export/job-destinations.js';
import { enqueueDeliveries } from '../export/outbox.js';

export type Resolution = { ok: true; destinations: string[] } | { ok: false; reason: string };

/** The result's destinations from its rule's runModel action for the job's model (the job's copy when the rule is
 *  gone). */
export function resolveResultDestinations(
  db: Db, job: Pick<JobRow, 'id' | 'ruleId' | 'modelId' | 'studyInstanceUid' | 'destinations'>,
): Resolution {
  const rule = currentRules(db)?.rules.find((r) => r.id === job.ruleId);
  const action = rule?.actions.find((a) => a.type === 'runModel' && a.model === job.modelId);
  const requested = action && action.type === 'runModel' ? action.destinations : job.destinations;
  try {
    return { ok: true, destinations: resolveDestinations(db, job.studyInstanceUid, requested) };
  } catch (err) {
    if (err instanceof DestinationError) return { ok: false, reason: err.message };
    throw err;
  }
}

/** Queues the SEG and SR of the result for each destination (in the caller's transaction). */
export function enqueueResult(db: Db, r: { id: number; jobId: number; revision: number },
  destinations: string[]): number {
  const objects = objectsOfResult(db, r.jobId, r.revision).filter((o) => o.kind !== 'KOS');
  return enqueueDeliveries(db, objects.flatMap((o) => destinations.map((destinationId) => ({
    jobId: r.jobId, resultId: r.id, destinationId, path: o.path, sopClassUid: o.sopClassUid,
    sopInstanceUid: o.sopInstanceUid, transferSyntaxUid: o.transferSyntaxUid,
  }))));
}

/** stale: the result was not in `from` (another decision won); awaiting-destination: `reason` says why (and nothing
 *  moved when it was there already). */
export type Released = { outcome: 'stale' } | { outcome: 'accepted' }
  | { outcome: 'awaiting-destination'; reason: string };

/**
 * Moves the result from one of `from` to accepted with its deliveries queued, or to awaiting-destination with the
 * reason when its destinations cannot be resolved.
 */
export function releaseResult(
  db: Db, r: { id: number; jobId: number; revision: number }, from: readonly ResultState[], change: ResultChange,
): Released {
  return transaction(db, () => {
    const job = getJob(db, r.jobId);
    const gone = { ok: false as const, reason: `DESTINATION_NOT_FOUND: job ${r.jobId} is gone` };
    const where = job ? resolveResultDestinations(db, job) : gone;
    if (!where.ok) {
      const current = getResult(db, r.id)?.state;
      const waiting = current === 'awaiting-destination' && from.includes(current);
      if (waiting) return { outcome: 'awaiting-destination', reason: where.reason };
      const moved = transitionResult(db, r.id, from, 'awaiting-destination', { ...change, heldReason: where.reason });
      return moved ? { outcome: 'awaiting-destination', reason: where.reason } : { outcome: 'stale' };
    }
    if (!transitionResult(db, r.id, from, 'accepted', { ...change, heldReason: null })) return { outcome: 'stale' };
    enqueueResult(db, r, where.destinations);
    return { outcome: 'accepted' };
  });
}
