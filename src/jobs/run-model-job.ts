// A runModel job: the series' stored files → segmentSeries (load, infer, encode and QC in workers) → result files
// written durably → in one transaction: the job done, result_objects rows, the result row in the state the rule's
// review policy gives it, and (when released) its deliveries. Destinations are resolved at the end, so a study no
// destination can take yet still gets its result (awaiting-destination). UIDs derive from (series, model id+version,
// job id, result revision): a rerun after a crash writes the same objects, a rerun after a retraction new ones.
import path from 'node:path';
import { transaction, type Db } from '../db/database.js';
import { instanceFilesOfSeries } from '../db/instances.js';
import { insertResultObjects, nextRevision, type ResultObject } from '../db/results.js';

import type { ModelRegistry } from '../infer/index.js';
import type { NodeConfig } from '../config/schema.js';
import { recordNewResult } from '../review/new-result.js';
import { JobError } from './errors.js';
import { observeStage } from '../metrics/index.js';
import { faultPoint } from '../fault-point.js';
import { appendStage, finishJob, type ClaimedJob, type StageRecord } from '../db/jobs.js';
import { writeFileDurably } from '../durable-file.js';
import { segmentSeries } from './segment-series.js';
import type { SeriesPreloader } from './preload.js';
import { findInSeries } from './image-series.js';
import { insertFindings } from '../db/findings.js';
import { SOP, TS } from '../dicom/uids.js';

export interface JobContext {
  db: Db; models: ModelRegistry; dataDir: string; uidRoot: string; omitEmptyFrames: boolean;
  /** de-identification for external jobs: the site key, default profile, result timeout */
  deid: NodeConfig['deid'];
  /** records a stage (jobs.stages + histogram) */
  recordStage: (s: StageRecord) => void;
  /** volumes loaded when their series completed (absent in the CLI) */
  preloads?: SeriesPreloader;
}

/** Where a revision's files go: results/<jobId>/ for the first, results/<jobId>/r<n>/ for later ones. */
export function resultDir(dataDir: string, jobId: number, revision: number): string {
  const dir = path.join(dataDir, 'results', String(jobId));
  return revision === 1 ? dir : path.join(dir, `r${revision}`);
}

/** The job part of the UID inputs: revision 1 keeps the form results had before revisions existed. */
export function uidJobId(jobId: number, revision: number): string {
  return revision === 1 ? `job-${jobId}` : `job-${jobId}-r${revision}`;
}

/** Runs the job to `done`; throws a coded error on failure (the runner marks the job failed). Returns false when the
 *  job was taken from us. */
export async function runModelJob(ctx: JobContext, job: ClaimedJob): Promise<boolean> {
  const { db } = ctx;
  const files = instanceFilesOfSeries(db, job.seriesUid ?? '');
  if (files.length === 0) throw new JobError('JOB_NO_INSTANCES',
    `series ${job.seriesUid} has no stored instances (removed by retention?)`);
  const revision = nextRevision(db, job.id);
  const identity = { jobId: uidJobId(job.id, revision), uidRoot: ctx.uidRoot, omitEmptyFrames: ctx.omitEmptyFrames };
  const task = ctx.models.get(job.modelId ?? '')?.manifest?.task ?? 'segmentation';
  if (task !== 'segmentation') return runFindingModelJob(ctx, job, files, revision, identity);
  const preloaded = ctx.preloads?.take(job.seriesUid ?? '');
  const result = await segmentSeries(ctx.models, job.modelId ?? '', files.map((f) => path.resolve(ctx.dataDir, f)),
    identity, (t) => ctx.recordStage(stageRecord(t.stage, t.startedAt, t.endedAt, t.ms)), preloaded);

  const exportStart = Date.now();
  const objects: ResultObject[] = [];
  const wanted = new Set(job.outputs.length ? job.outputs : ['SEG', 'SR']);
  const dir = resultDir(ctx.dataDir, job.id, revision);
  if (result.seg.bytes.length && wanted.has('SEG')) objects.push(await writeResult(path.join(dir, 'seg.dcm'), 'SEG',
    result.seg, SOP.segmentationStorage, result.seg.bytes));
  if (wanted.has('SR')) objects.push(await writeResult(path.join(dir, 'sr.dcm'), 'SR', result.sr, SOP.enhancedSrStorage,
    result.sr.bytes));
  const exportEnd = Date.now();
  faultPoint('job-running'); // crash tests: the node dies with the result files written, nothing committed
  const ours = transaction(db, () => {
    // Not ours any more (cancelled, or reclaimed after our lease ran out): write nothing.
    if (!finishJob(db, job, 'done')) return false;
    insertResultObjects(db, job.id, objects, revision);
    recordNewResult(db, job, {
      revision, modelVersion: result.manifest.version, qc: result.qc,
      labels: result.manifest.segments.map((s) => s.label), encoded: result.seg.segments,
    });
    appendStage(db, job, stageRecord('export', exportStart, exportEnd, exportEnd - exportStart));
    return true;
  });
  if (!ours) return false;
  observeStage('export', exportEnd - exportStart);
  return true;
}

/** A classification or detection model: its SR alone, and its findings stored with the result for the rules. */
async function runFindingModelJob(ctx: JobContext, job: ClaimedJob, files: string[], revision: number,
  identity: { jobId: string; uidRoot: string }): Promise<boolean> {
  const { db } = ctx;
  const found = await findInSeries(ctx.models, job.modelId ?? '', files.map((f) => path.resolve(ctx.dataDir, f)),
    identity, (t) => ctx.recordStage(stageRecord(t.stage, t.startedAt, t.endedAt, t.ms)));
  const exportStart = Date.now();
  const dir = resultDir(ctx.dataDir, job.id, revision);
  const objects = [await writeResult(path.join(dir, 'sr.dcm'), 'SR', found.sr, SOP.enhancedSrStorage, found.sr.bytes)];
  const exportEnd = Date.now();
  const ours = transaction(db, () => {
    if (!finishJob(db, job, 'done')) return false;
    insertResultObjects(db, job.id, objects, revision);
    const { id } = recordNewResult(db, job, {
      revision, modelVersion: found.manifest.version, qc: { state: 'none', reasons: [], measurements: [] },
      labels: [], encoded: [],
    });
    insertFindings(db, id, found.findings);
    appendStage(db, job, stageRecord('export', exportStart, exportEnd, exportEnd - exportStart));
    return true;
  });
  if (!ours) return false;
  observeStage('export', exportEnd - exportStart);
  return true;
}

async function writeResult(file: string, kind: 'SEG' | 'SR', o: { sopInstanceUid: string; seriesInstanceUid: string },
  sopClassUid: string, bytes: Uint8Array): Promise<ResultObject> {
  try {
    await writeFileDurably(file, bytes);
  } catch (err) {
    throw new JobError('JOB_RESULT_WRITE', `cannot write ${file}: ${(err as Error).message}`);
  }
  return { kind, sopClassUid, sopInstanceUid: o.sopInstanceUid, seriesInstanceUid: o.seriesInstanceUid,
    transferSyntaxUid: TS.explicitLittle, path: file, size: bytes.length };
}

export function stageRecord(stage: string, startedAt: number, endedAt: number, ms: number): StageRecord {
  return { stage, startedAt: new Date(startedAt).toISOString(), endedAt: new Date(endedAt).toISOString(), ms };
}
