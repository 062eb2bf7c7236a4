// An external job (issue 14): the selected series is de-identified in a worker, the mapping recorded (encrypted),
// the files queued for the external service through the outbox and an external_requests row left waiting for the
// answer, all committed with the job's `done`. The answer arrives as a study of its own (reidentify-job.ts).
import fs from 'node:fs';
import path from 'node:path';
import { recordAudit } from '../db/audit.js';
import { transaction } from '../db/database.js';
import { DeidMappings } from '../db/deid-mappings.js';
import { getDestination } from '../db/destinations.js';
import { insertExternalRequest } from '../db/external-requests.js';
import { instanceFilesOfSeries } from '../db/instances.js';
import { appendStage, finishJob, type ClaimedJob } from '../db/jobs.js';
import { deidentifyFilesInWorker } from '../deid/in-worker.js';
import { type DeidProfile, resolveProfile } from '../deid/profile.js';
import { parseDeidKey, subkey } from '../deid/pseudonyms.js';
import { enqueueDeliveries } from '../export/outbox.js';
import type { Db } from '../db/database.js';
import { JobError } from './errors.js';
import { externalActionOfJob } from './external-action.js';
import { stageRecord, type JobContext } from './run-model-job.js';

/** The mapping table opened with the keys derived from the site key (throws DEID_KEY_MISSING without one). */
export function openMappings(db: Db, keyBase64: string): DeidMappings {
  const key = parseDeidKey(keyBase64);
  return new DeidMappings(db, { encryption: subkey(key, 'mapping-encryption'), lookup: subkey(key, 'mapping-lookup') });
}

export async function externalJob(ctx: JobContext, job: ClaimedJob): Promise<boolean> {
  const { db } = ctx;
  const started = Date.now();
  const action = externalActionOfJob(db, job.id);
  if (!action) {
    throw new JobError('EXTERNAL_SERVICE_INVALID', `rule ${job.ruleId} has no external action any more`);
  }
  const service = getDestination(db, action.service);
  if (!service?.external) {
    throw new JobError('EXTERNAL_SERVICE_INVALID', `destination "${action.service}" is not marked external: `
      + 'only an external destination (TLS) may receive de-identified data');
  }
  const mappings = openMappings(db, ctx.deid.key);
  const profile: Partial<DeidProfile> = { ...ctx.deid.profile, ...action.profile };
  resolveProfile(profile); // a bad profile fails here with its code, before anything is written
  const files = instanceFilesOfSeries(db, job.seriesUid ?? '');
  if (files.length === 0) throw new JobError('JOB_NO_INSTANCES', `series ${job.seriesUid} has no stored instances`);
  const dir = path.join(ctx.dataDir, 'external', String(job.id));
  fs.mkdirSync(dir, { recursive: true });
  const out = await deidentifyFilesInWorker({
    files: files.map((f, i) => ({
      from: path.resolve(ctx.dataDir, f), to: path.join(dir, `${String(i).padStart(5, '0')}.dcm`),
    })),
    profile, keyBase64: ctx.deid.key,
  });
  const first = out[0]!;
  const deadline = Date.now() + (action.timeoutSeconds ?? ctx.deid.resultTimeoutSeconds) * 1000;
  const done = transaction(db, () => {
    if (!finishJob(db, job, 'done')) return false;
    mappings.record('uid', out.flatMap((f) => f.uids));
    mappings.recordStudy(first.pseudoStudyUid, first.restore);
    // the worker read each new file's header as it wrote it: nothing is scanned again on this thread
    enqueueDeliveries(db, out.map((f) => ({ jobId: job.id, destinationId: action.service, path: f.path,
      sopClassUid: f.sopClassUid, sopInstanceUid: f.sopInstanceUid, transferSyntaxUid: f.transferSyntaxUid })));
    insertExternalRequest(db, {
      jobId: job.id, studyUid: job.studyUid, pseudoStudyUid: first.pseudoStudyUid, service: action.service, profile,
      destinations: action.destinations, deadline, review: action.review ?? 'none' });
    recordAudit(db, 'node', 'external.deidentified-send', job.studyUid, undefined, {
      service: action.service, profile: resolveProfile(profile), instances: out.length, seriesUid: job.seriesUid,
      modality: first.modality || null, at: new Date().toISOString(),
    });
    const ended = Date.now();
    appendStage(db, job, stageRecord('deidentify', started, ended, ended - started));
    return true;
  });
  return done;
}

