// A reidentify job: the external service's answer arrived as a study under the pseudonymous Study Instance UID.
// Each returned SEG, SR, KOS or SC is re-identified (UIDs mapped back, patient and study restored) and queued for
// the external action's destinations as a result (review gate included); one that references an unknown UID is quarantined
// (REID_UNKNOWN_UID), never sent. Objects of other classes are quarantined too: only results come back.
import fs from 'node:fs';
import path from 'node:path';
import { recordAudit } from '../db/audit.js';
import { transaction } from '../db/database.js';
import { externalRequestOfReturnJob, markReturned, type Quarantined } from '../db/external-requests.js';
import { instanceFilesOfStudy } from '../db/instances.js';
import { appendStage, finishJob, type ClaimedJob } from '../db/jobs.js';
import { DeidError } from '../deid/errors.js';
import { reidentifyPart10 } from '../deid/reidentify.js';
import { SC_AND_US_STORAGE_CLASSES, SOP, TS } from '../dicom/uids.js';
import { scanPart10Bytes } from '../dicom/header-scan.js';
import { resolveDestinations } from '../export/job-destinations.js';
import { enqueueDeliveries } from '../export/outbox.js';
import { insertResultObjects, nextRevision, type ResultObject } from '../db/results.js';
import { recordNewResult } from '../review/new-result.js';
import { JobError } from './errors.js';
import { openMappings } from './external-job.js';
import { stageRecord, type JobContext } from './run-model-job.js';

const SR_ROOT = SOP.enhancedSrStorage.slice(0, SOP.enhancedSrStorage.lastIndexOf('.') + 1); // the 88.x SR classes
const isResultClass = (c: string) => c === SOP.segmentationStorage || c.startsWith(SR_ROOT) || SC_AND_US_STORAGE_CLASSES.has(c);

/** The job's study and series are the original ones that were sent; its request names the pseudonymous study. */
export function reidentifyJob(ctx: JobContext, job: ClaimedJob): boolean {
  const { db } = ctx;
  const started = Date.now();
  const request = externalRequestOfReturnJob(db, job.id);
  if (!request) throw new JobError('EXTERNAL_SERVICE_INVALID', 'no external request is linked to this job');
  const pseudoStudy = request.pseudoStudyUid;
  const mappings = openMappings(db, ctx.deid.key);
  const study = mappings.studyAttributes(pseudoStudy) ?? {};
  const files = instanceFilesOfStudy(db, pseudoStudy).map((f) => ({ file: path.resolve(ctx.dataDir, f.path), bytes: fs.readFileSync(path.resolve(ctx.dataDir, f.path)) }));
  if (files.length === 0) throw new JobError('JOB_NO_INSTANCES', 'the returned study has no stored instances');
  const headers = files.map((f) => scanPart10Bytes(f.bytes));
  // UIDs the service created in this answer (its objects and their series) may be referenced between them
  const created = new Set(headers.flatMap((h) => [h.values.SOPInstanceUID ?? '', h.values.SeriesInstanceUID ?? '']).filter(Boolean));
  const dir = path.join(ctx.dataDir, 'reidentified', String(job.id));
  const quarantineDir = path.join(ctx.dataDir, 'quarantine', String(job.id));
  const ready: Array<{ path: string; sopClassUid: string; sopInstanceUid: string; seriesUid: string; transferSyntaxUid: string; size: number }> = [];
  const quarantined: Quarantined[] = [...request.quarantined];
  const quarantine = (f: { file: string; bytes: Buffer }, sop: string, code: string, reason: string) => {
    fs.mkdirSync(quarantineDir, { recursive: true });
    const to = path.join(quarantineDir, `${quarantined.length}.dcm`);
    fs.writeFileSync(to, f.bytes);
    quarantined.push({ sopInstanceUid: sop, code, reason, path: to });
  };
  files.forEach((f, i) => {
    const h = headers[i]!;
    const sop = h.values.SOPInstanceUID ?? '';
    if (!isResultClass(h.values.SOPClassUID ?? '')) return quarantine(f, sop, 'REID_UNKNOWN_UID', `SOP class ${h.values.SOPClassUID} is not a result (SEG, SR, KOS, SC)`);
    try {
      const r = reidentifyPart10(f.bytes, (p) => mappings.original('uid', p), created, study);
      if (r.unknown.length) return quarantine(f, sop, 'REID_UNKNOWN_UID', `references ${r.unknown.length} UID(s) the mapping does not know`);
      fs.mkdirSync(dir, { recursive: true });
      const to = path.join(dir, `${i}.dcm`);
      fs.writeFileSync(to, r.bytes);
      ready.push({ path: to, sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid, seriesUid: r.seriesUid,
        transferSyntaxUid: h.transferSyntaxUid || TS.explicitLittle, size: r.bytes.length });
    } catch (err) {
      if (!(err instanceof DeidError)) throw err;
      quarantine(f, sop, err.code, err.message);
    }
  });
  // One SEG and one SR form the job's result, gated like the node's own (review policy of the external action);
  // anything else the service returned (KOS, SC, a second SEG or SR) is queued for the destinations directly.
  const objects: ResultObject[] = [];
  const direct = ready.filter((o) => {
    const kind = o.sopClassUid === SOP.segmentationStorage ? 'SEG' : o.sopClassUid.startsWith(SR_ROOT) && o.sopClassUid !== SOP.keyObjectSelectionDocumentStorage ? 'SR' : undefined;
    if (!kind || objects.some((x) => x.kind === kind)) return true;
    objects.push({ kind, sopClassUid: o.sopClassUid, sopInstanceUid: o.sopInstanceUid, seriesInstanceUid: o.seriesUid,
      transferSyntaxUid: o.transferSyntaxUid, path: o.path, size: o.size });
    return false;
  });
  const revision = nextRevision(db, job.id);
  return transaction(db, () => {
    if (!finishJob(db, job, 'done')) return false;
    if (objects.length) {
      insertResultObjects(db, job.id, objects, revision);
      recordNewResult(db, job, { revision, modelVersion: `external:${request.service}`, qc: { state: 'none', reasons: [], measurements: [] }, labels: [], encoded: [] });
    }
    if (direct.length) {
      const destinations = resolveDestinations(db, request.studyUid, request.destinations);
      enqueueDeliveries(db, direct.flatMap((o) => destinations.map((destinationId) => ({ jobId: job.id, destinationId, path: o.path,
        sopClassUid: o.sopClassUid, sopInstanceUid: o.sopInstanceUid, transferSyntaxUid: o.transferSyntaxUid }))));
    }
    markReturned(db, request.id, ready.length, quarantined);
    recordAudit(db, 'node', 'external.reidentified-return', request.studyUid, undefined, {
      service: request.service, profile: request.profile, returned: ready.length,
      quarantined: quarantined.slice(request.quarantined.length).map((q) => ({ code: q.code, reason: q.reason })), at: new Date().toISOString(),
    });
    const ended = Date.now();
    appendStage(db, job, stageRecord('reidentify', started, ended, ended - started));
    return true;
  });
}
