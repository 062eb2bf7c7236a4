// A finished job's result: its segments and QC summarised, then its first state decided by the rule's review
// policy — held for review, withheld (QC failed, rule says do not send), or released (accepted with deliveries
// queued, or awaiting-destination when its destinations cannot be resolved). Runs in the job's finishing transaction.
import type { Db } from '../db/database.js';
import type { ReviewPolicy } from '../db/jobs.js';
import { insertResult, type ResultSegment, type ResultState } from '../db/results.js';
import type { EncodedSegment } from '../encode/types.js';
import type { QcResult } from '../qc/index.js';
import { enqueueResult, resolveResultDestinations } from './release.js';

export interface FinishedJob {
  id: number; ruleId: string; modelId: string | null; studyUid: string; destinations: string[]; policy: ReviewPolicy;
}

export interface NewResultInput {
  revision: number; modelVersion: string; qc: QcResult;
  /** the manifest's segment labels in order, and what the SEG holds of them */
  labels: string[]; encoded: EncodedSegment[];
}

/** Inserts the result in the state its policy gives it; returns its id and state. */
export function recordNewResult(db: Db, job: FinishedJob, input: NewResultInput): { id: number; state: ResultState } {
  const { state, heldReason } = firstState(db, job, input.qc);
  const qcReasons = input.qc.reasons.map(({ segment, check, message, value, limit }) =>
    ({ segment, check, message, value, limit }));
  const id = insertResult(db, {
    jobId: job.id, revision: input.revision, state, qcState: input.qc.state, qcReasons, segments: summarise(input),
    modelVersion: input.modelVersion, heldReason,
  });
  if (state === 'accepted') {
    const where = resolveResultDestinations(db, { ...job, studyInstanceUid: job.studyUid });
    if (where.ok) enqueueResult(db, { id, jobId: job.id, revision: input.revision }, where.destinations);
  }
  return { id, state };
}

function firstState(db: Db, job: FinishedJob, qc: QcResult): { state: ResultState; heldReason: string | null } {
  const failed = qc.state === 'failed' ? `QC_FAILED: ${qc.reasons.map((r) => r.message).join('; ')}` : undefined;
  const rule = job.ruleId;
  if (failed && job.policy.onQcFail === 'discard') return { state: 'withheld',
    heldReason: `${failed} (rule ${rule}: not sent)` };
  if (failed) return { state: 'awaiting-review', heldReason: failed };
  if (job.policy.review === 'required') return { state: 'awaiting-review',
    heldReason: `review required by rule ${rule}` };
  const where = resolveResultDestinations(db, { ...job, studyInstanceUid: job.studyUid });
  return where.ok ? { state: 'accepted', heldReason: null }
    : { state: 'awaiting-destination', heldReason: where.reason };
}

/** One entry per manifest segment: present with its volume, or absent; its QC from the checks it declares. */
function summarise({ labels, encoded, qc }: NewResultInput): ResultSegment[] {
  return labels.map((label) => {
    const seg = encoded.find((e) => e.label === label);
    const checked = qc.measurements.some((m) => m.segment === label);
    const failed = qc.reasons.some((r) => r.segment === label);
    const state = failed ? 'failed' : checked ? 'passed' : 'none';
    return { label, present: !!seg, volumeMl: seg ? seg.volumeMl : null, qc: state };
  });
}
