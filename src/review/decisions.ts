// A reviewer's or admin's decisions on a result: accept, reject, release, retract. Each one moves the result's
// state with a history entry and writes one audit row in the same transaction; a decision on a result in the wrong
// state is refused with RESULT_STATE and changes nothing.
import { recordAudit } from '../db/audit.js';
import { transaction, type Db } from '../db/database.js';
import { getResult, transitionResult, type ResultRow, type ResultState } from '../db/results.js';
import { releaseResult } from './release.js';
import { retractDelivered, type RetractionContext } from './retraction.js';

export type Decision =
  | { ok: true; result: ResultRow }
  | { ok: false; status: number; code: DecisionErrorCode; detail: string };

/** Why the API refuses a decision on a result (HTTP problems). */
export type DecisionErrorCode =
  | 'RESULT_NOT_FOUND' | 'RESULT_STATE' | 'RESULT_REASON_REQUIRED' | 'RESULT_BAD_REQUEST' | 'RESULT_NO_DESTINATION';

export function acceptResult(db: Db, id: number, actor: string): Decision {
  return decide(db, id, 'accept', ['awaiting-review'], (r) => {
    const released = releaseResult(db, r, ['awaiting-review'], { actor, action: 'accept', review: true });
    return released.outcome !== 'stale';
  }, actor);
}

export function rejectResult(db: Db, id: number, actor: string, reason: unknown): Decision {
  const why = reasonOf(reason);
  if (!why) return refuse(400, 'RESULT_REASON_REQUIRED', 'a rejection needs a reason: {"reason": "…"}');
  const change = { actor, action: 'reject', reason: why, review: true };
  return decide(db, id, 'reject', ['awaiting-review'],
    () => transitionResult(db, id, ['awaiting-review'], 'rejected', change), actor, why);
}

/** awaiting-destination → accepted once its destinations resolve; 422 RESULT_NO_DESTINATION with the reason while
 *  not. */
export function releaseWaitingResult(db: Db, id: number, actor: string): Decision {
  let unresolved: string | undefined;
  const decided = decide(db, id, 'release', ['awaiting-destination'], (r) => {
    const released = releaseResult(db, r, ['awaiting-destination'], { actor, action: 'release' });
    if (released.outcome === 'awaiting-destination') unresolved = released.reason;
    return released.outcome === 'accepted';
  }, actor);
  if (unresolved) return refuse(422, 'RESULT_NO_DESTINATION',
    `its destinations still cannot be resolved: ${unresolved}`);
  return decided;
}

/** delivered → retracted: a Rejection Note to every destination that received the result (see retraction.ts). */
export async function retractResult(
  ctx: RetractionContext, id: number, actor: string, reason: unknown, safety: unknown,
): Promise<Decision> {
  const why = reasonOf(reason);
  if (!why) return refuse(400, 'RESULT_REASON_REQUIRED',
    'a retraction needs a reason: {"reason": "…", "safety": false}');
  if (safety !== undefined && typeof safety !== 'boolean') {
    return refuse(400, 'RESULT_BAD_REQUEST', 'safety must be true or false');
  }
  const before = getResult(ctx.db, id);
  if (!before) return notFound(id);
  if (before.state !== 'delivered') return wrongState(before, 'retract', ['delivered']);
  const note = await retractDelivered(ctx, before, why, safety === true);
  return decide(ctx.db, id, 'retract', ['delivered'], (r) => note.commit(r, actor), actor, why);
}

/** Runs `move` in one transaction with the audit row; RESULT_STATE when the result is not in `from` (or `move` lost a
 *  race). */
function decide(
  db: Db, id: number, action: string, from: readonly ResultState[], move: (r: ResultRow) => boolean, actor: string,
  reason?: string,
): Decision {
  return transaction(db, (): Decision => {
    const before = getResult(db, id);
    if (!before) return notFound(id);
    if (!from.includes(before.state) || !move(before)) return wrongState(getResult(db, id) ?? before, action, from);
    const after = getResult(db, id)!;
    const audited = { state: after.state, ...(reason ? { reason } : {}) };
    recordAudit(db, actor, action, `result:${id}`, { state: before.state }, audited);
    return { ok: true, result: after };
  });
}

function reasonOf(reason: unknown): string | undefined {
  return typeof reason === 'string' && reason.trim() !== '' ? reason.trim().slice(0, 2000) : undefined;
}

function notFound(id: number): Decision {
  return refuse(404, 'RESULT_NOT_FOUND', `no result ${id}`);
}

function wrongState(r: ResultRow, action: string, from: readonly ResultState[]): Decision {
  return refuse(409, 'RESULT_STATE', `result ${r.id} is ${r.state}; ${action} needs ${from.join(' or ')}`);
}

function refuse(status: number, code: DecisionErrorCode, detail: string): Decision {
  return { ok: false, status, code, detail };
}
