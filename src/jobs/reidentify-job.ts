// A reidentify job: the external service's answer arrived as a study under the pseudonymous Study Instance UID.
// Each returned SEG, SR, KOS or SC is re-identified in the deid worker (UIDs mapped back, patient and study
// restored) and becomes part of the job's result, which goes through the quality check (the action's `qc`, on the
// returned SEG, in a worker) and the review gate like the node's own; one that references an unknown UID is
// quarantined (REID_UNKNOWN_UID), never sent. Objects of other classes are quarantined too: only results come back.
import path from 'node:path';
import { recordAudit } from '../db/audit.js';
import { transaction } from '../db/database.js';
import { externalRequestOfReturnJob, markReturned, type Quarantined } from '../db/external-requests.js';
import { instanceFilesOfSeries, instanceFilesOfStudy } from '../db/instances.js';
import { appendStage, finishJob, type ClaimedJob } from '../db/jobs.js';
import { insertResultObjects, nextRevision, type ResultKind, type ResultObject } from '../db/results.js';
import { reidentifyFilesInWorker } from '../deid/in-worker.js';
import { isStructuredDocument, type ReidFileOutcome } from '../deid/reidentify-files.js';
import { SOP } from '../dicom/uids.js';
import type { ExternalQc } from '../route/index.js';
import { RequestWorker } from '../worker-start.js';
import { recordNewResult } from '../review/new-result.js';
import { JobError } from './errors.js';
import { externalActionOfJob } from './external-action.js';
import { openMappings } from './external-job.js';
import type { ReturnedQc } from './returned-qc.js';
import type { ReturnedQcReply, ReturnedQcRequest } from './returned-qc-worker.js';
import { stageRecord, type JobContext } from './run-model-job.js';

type Ready = Extract<ReidFileOutcome, { outcome: 'ready' }>;

/** The job's study and series are the original ones that were sent; its request names the pseudonymous study. */
export async function reidentifyJob(ctx: JobContext, job: ClaimedJob): Promise<boolean> {
  const { db } = ctx;
  const started = Date.now();
  const request = externalRequestOfReturnJob(db, job.id);
  if (!request) throw new JobError('EXTERNAL_SERVICE_INVALID', 'no external request is linked to this job');
  const mappings = openMappings(db, ctx.deid.key);
  const files = instanceFilesOfStudy(db, request.pseudoStudyUid).map((f) => path.resolve(ctx.dataDir, f.path));
  if (files.length === 0) throw new JobError('JOB_NO_INSTANCES', 'the returned study has no stored instances');
  const outcomes = await reidentifyFilesInWorker({
    files, study: mappings.studyAttributes(request.pseudoStudyUid) ?? {},
    readyDir: path.join(ctx.dataDir, 'reidentified', String(job.id)),
    quarantineDir: path.join(ctx.dataDir, 'quarantine', String(job.id)),
  }, (uids) => Object.fromEntries(uids.flatMap((u) => {
    const o = mappings.original('uid', u);
    return o ? [[u, o]] : [];
  })));
  const ready = outcomes.filter((o): o is Ready => o.outcome === 'ready');
  const quarantined: Quarantined[] = [...request.quarantined, ...outcomes.flatMap((o) => (o.outcome === 'quarantined'
    ? [{ sopInstanceUid: o.sopInstanceUid, code: o.code, reason: o.reason, path: o.path }] : []))];
  const objects = asResultObjects(ready);
  const qcStarted = Date.now();
  const action = externalActionOfJob(db, request.jobId);
  // nothing returned but quarantined objects: no result, nothing to check
  const qc = objects.length > 0 ? action?.qc : undefined;
  const checked = qc ? await checkReturned(ctx, objects, request.seriesUid, qc) : NOT_CHECKED;
  const qcEnded = Date.now();
  const revision = nextRevision(db, job.id);
  return transaction(db, () => {
    if (!finishJob(db, job, 'done')) return false;
    if (objects.length) {
      // Every returned object is the job's result, held or released by the external action's review policy
      insertResultObjects(db, job.id, objects, revision);
      recordNewResult(db, job, {
        revision, modelVersion: `external:${request.service}`, qc: checked.qc,
        labels: action?.qc?.segments.map((s) => s.label) ?? [], encoded: checked.segments,
      });
    }
    markReturned(db, request.id, ready.length, quarantined);
    recordAudit(db, 'node', 'external.reidentified-return', request.studyUid, undefined, {
      service: request.service, profile: request.profile, returned: ready.length, at: new Date().toISOString(),
      quarantined: quarantined.slice(request.quarantined.length).map((q) => ({ code: q.code, reason: q.reason })),
    });
    appendStage(db, job, stageRecord('reidentify', started, qcStarted, qcStarted - started));
    if (qc) appendStage(db, job, stageRecord('qc', qcStarted, qcEnded, qcEnded - qcStarted));
    return true;
  });
}

const NOT_CHECKED: ReturnedQc = { qc: { state: 'none', reasons: [], measurements: [] }, segments: [] };

/** The action's qc on the result's SEG (none returned: its segments are missing) on the source series' grid, in a
 *  worker: the SEG and the source headers are read and the label map checked there. */
async function checkReturned(ctx: JobContext, objects: ResultObject[], seriesUid: string | null,
  qc: ExternalQc): Promise<ReturnedQc> {
  const seg = objects.find((o) => o.kind === 'SEG');
  const stored = seriesUid ? instanceFilesOfSeries(ctx.db, seriesUid) : [];
  const sourceFiles = stored.map((f) => path.resolve(ctx.dataDir, f));
  const failed = (reason: string) => new JobError('EXTERNAL_QC_WORKER_FAILED', reason);
  const worker = new RequestWorker<ReturnedQcRequest, ReturnedQcReply>(import.meta.url, 'returned-qc-worker', failed);
  try {
    const reply = await worker.ask({ segPath: seg ? path.resolve(seg.path) : null, sourceFiles, qc });
    if (!reply.ok) throw failed(reply.message);
    return { qc: reply.qc, segments: reply.segments };
  } finally {
    worker.stop();
  }
}

/** The first SEG and the first SR are the result's SEG and SR (previews, retraction); the rest (KOS, SC, more)
 *  travel with them as RETURNED objects. */
function asResultObjects(ready: Ready[]): ResultObject[] {
  const kinds = new Set<ResultKind>();
  return ready.map((o) => {
    const wanted: ResultKind | undefined = o.sopClassUid === SOP.segmentationStorage ? 'SEG'
      : o.sopClassUid !== SOP.keyObjectSelectionDocumentStorage && isStructuredDocument(o.sopClassUid)
        ? 'SR' : undefined;
    const kind = wanted && !kinds.has(wanted) ? wanted : 'RETURNED';
    kinds.add(kind);
    return { kind, sopClassUid: o.sopClassUid, sopInstanceUid: o.sopInstanceUid, seriesInstanceUid: o.seriesUid,
      transferSyntaxUid: o.transferSyntaxUid, path: o.path, size: o.size };
  });
}
