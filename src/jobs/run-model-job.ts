// A runModel job: the series' stored files → segmentSeries (load, infer, encode in workers) → result
// files written durably → result_objects rows → deliveries enqueued and the job done in one transaction.
// UIDs derive from (series, model id+version, job id), so a rerun after a crash writes the same objects.
import path from 'node:path';
import { transaction, type Db } from '../db/database.js';
import { instanceFilesOfSeries } from '../db/instances.js';
import { insertResultObjects, type ResultObject } from '../db/results.js';
import { enqueueDeliveries } from '../export/outbox.js';
import type { ModelRegistry } from '../infer/index.js';
import { JobError } from './errors.js';
import { resolveDestinations } from './job-destinations.js';
import { observeStage } from '../metrics/index.js';
import { appendStage, finishJob, type ClaimedJob, type StageRecord } from '../db/jobs.js';
import { writeFileDurably } from './result-files.js';
import { segmentSeries } from './segment-series.js';

export interface JobContext {
  db: Db; models: ModelRegistry; dataDir: string; uidRoot: string; omitEmptyFrames: boolean;
  /** records a stage (jobs.stages + histogram) */
  recordStage: (s: StageRecord) => void;
}

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** Runs the job to `done`; throws a coded error on failure (the runner marks the job failed). Returns false when the job was taken from us. */
export async function runModelJob(ctx: JobContext, job: ClaimedJob): Promise<boolean> {
  const { db } = ctx;
  const destinations = resolveDestinations(db, job.studyUid, job.destinations); // fail before hours of inference, not after
  const files = instanceFilesOfSeries(db, job.seriesUid ?? '');
  if (files.length === 0) throw new JobError('JOB_NO_INSTANCES', `series ${job.seriesUid} has no stored instances (removed by retention?)`);
  const identity = { jobId: `job-${job.id}`, uidRoot: ctx.uidRoot, omitEmptyFrames: ctx.omitEmptyFrames };
  const result = await segmentSeries(ctx.models, job.modelId ?? '', files.map((f) => path.resolve(ctx.dataDir, f)), identity, (t) => ctx.recordStage(stageRecord(t.stage, t.startedAt, t.endedAt, t.ms)));

  const exportStart = Date.now();
  const objects: ResultObject[] = [];
  const wanted = new Set(job.outputs.length ? job.outputs : ['SEG', 'SR']);
  const dir = path.join(ctx.dataDir, 'results', String(job.id));
  if (result.seg.bytes.length && wanted.has('SEG')) objects.push(await writeResult(path.join(dir, 'seg.dcm'), 'SEG', result.seg, '1.2.840.10008.5.1.4.1.1.66.4', result.seg.bytes));
  if (wanted.has('SR')) objects.push(await writeResult(path.join(dir, 'sr.dcm'), 'SR', result.sr, '1.2.840.10008.5.1.4.1.1.88.22', result.sr.bytes));
  const exportEnd = Date.now();
  const ours = transaction(db, () => {
    // Not ours any more (cancelled, or reclaimed after our lease ran out): write nothing.
    if (!finishJob(db, job, 'done')) return false;
    insertResultObjects(db, job.id, objects);
    enqueueDeliveries(db, objects.flatMap((o) => destinations.map((destinationId) => ({
      jobId: job.id, destinationId, path: o.path, sopClassUid: o.sopClassUid, sopInstanceUid: o.sopInstanceUid, transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN,
    }))));
    appendStage(db, job, stageRecord('export', exportStart, exportEnd, exportEnd - exportStart));
    return true;
  });
  if (!ours) return false;
  observeStage('export', exportEnd - exportStart);
  return true;
}

async function writeResult(file: string, kind: 'SEG' | 'SR', o: { sopInstanceUid: string; seriesInstanceUid: string }, sopClassUid: string, bytes: Uint8Array): Promise<ResultObject> {
  try {
    await writeFileDurably(file, bytes);
  } catch (err) {
    throw new JobError('JOB_RESULT_WRITE', `cannot write ${file}: ${(err as Error).message}`);
  }
  return { kind, sopClassUid, sopInstanceUid: o.sopInstanceUid, seriesInstanceUid: o.seriesInstanceUid, transferSyntaxUid: EXPLICIT_VR_LITTLE_ENDIAN, path: file, size: bytes.length };
}

export function stageRecord(stage: string, startedAt: number, endedAt: number, ms: number): StageRecord {
  return { stage, startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(), ms };
}
