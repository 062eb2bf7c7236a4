// A measure job: a SEG or an RT Structure Set that arrived with the study → its references, read in the measure
// worker → checks (a BINARY SEG, its source images stored) → the source series as a volume (loader worker) → the SEG
// or the contours on that grid, IBSI features per segment or ROI and a TID 1500 SR that references that object and
// its source series (the measure worker again) → written durably, handed to the outbox as the job is marked done.
import path from 'node:path';
import fsp from 'node:fs/promises';
import { transaction } from '../db/database.js';
import { instancesOfSeries } from '../db/instances.js';
import { insertResultObjects } from '../db/results.js';
import { ruleVersion } from '../db/rule-versions.js';
import { appendStage, finishJob, getJob, type ClaimedJob } from '../db/jobs.js';

import { enqueueDeliveries } from '../export/outbox.js';
import {
  ARBITRARY_UNIT_FEATURE_DEFAULTS, CT_FEATURE_DEFAULTS, FeatureError, resolveFeatureConfig, type FeatureConfig,
} from '../features/index.js';
import { loadSeriesVolume } from '../infer/volume/index.js';
import { observeStage } from '../metrics/index.js';
import { JobError } from './errors.js';
import { checkSourcesStored } from './foreign-segmentation.js';
import type { MeasureReply, MeasureRequest, ReferencesReply, ReferencesRequest } from './measure-worker.js';
import type { MeasurementReportResult } from '../encode/types.js';
import { RequestWorker } from '../worker-start.js';
import { resolveDestinations } from '../export/job-destinations.js';
import { writeFileDurably } from '../durable-file.js';
import { stageRecord, type JobContext } from './run-model-job.js';
import { SOP, TS } from '../dicom/uids.js';

/** The "algorithm" of a measure result; its id and version feed the SR's deterministic UIDs. */
const FEATURE_ALGORITHM = {
  name: 'dicom-ai-node IBSI features', version: '1.0.0', modelId: 'ibsi-features',
  family: { scheme: 'DCM', value: '121401', meaning: 'Derivation' }, // only a SEG writes the family; none is written
};

/** Runs the job to `done`; throws a coded error (the runner marks it failed); false when the job was taken from us. */
export async function measureJob(ctx: JobContext, job: ClaimedJob): Promise<boolean> {
  const { db } = ctx;
  const destinations = resolveDestinations(db, job.studyUid, job.destinations);
  const instances = instancesOfSeries(db, job.seriesUid ?? '');
  if (instances.length === 0) throw new JobError('JOB_NO_INSTANCES', `series ${job.seriesUid} has no stored instances`);
  // A SEG or RTSTRUCT series holds one object in practice; its first instance is the one measured.
  const measured0 = instances[0]!;
  const segBytes = new Uint8Array(await fsp.readFile(path.resolve(ctx.dataDir, measured0.path)));
  const worker = new RequestWorker<ReferencesRequest | MeasureRequest, ReferencesReply | MeasureReply>(import.meta.url,
    'measure-worker', (reason) => new JobError('MEASURE_WORKER_FAILED', reason));
  let sr: MeasurementReportResult;
  let t1: number;
  try {
    const { refs } = succeeded(await worker.ask({ references: segBytes, sopClassUid: measured0.sopClassUid })) as
      Extract<ReferencesReply, { ok: true }>;
    const stored = instancesOfSeries(db, refs.sourceSeriesUid);
    checkSourcesStored(refs, new Set(stored.map((i) => i.sopInstanceUid)));

    const t0 = Date.now();
    // a SEG may outline a lesion on one or two slices: no minimum beyond one
    const loaded = await loadSeriesVolume(stored.map((i) => path.resolve(ctx.dataDir, i.path)), { minSlices: 1 });
    t1 = Date.now();
    ctx.recordStage(stageRecord('load', t0, t1, t1 - t0));

    ({ sr } = succeeded(await worker.ask({
      segBytes, refs, slices: loaded.slices, image: loaded.volume.data, dims: loaded.volume.dims,
      spacing: loaded.volume.spacing, config: featureConfigOf(db, job,
        String(loaded.slices[0]?.dataset.Modality ?? '')),
      algorithm: FEATURE_ALGORITHM,
      job: { jobId: `job-${job.id}`, uidRoot: ctx.uidRoot },
    })) as Extract<MeasureReply, { ok: true }>);
  } finally {
    worker.stop();
  }
  const t2 = Date.now();
  ctx.recordStage(stageRecord('features', t1, t2, t2 - t1));

  const file = path.join(ctx.dataDir, 'results', String(job.id), 'sr.dcm');
  try {
    await writeFileDurably(file, sr.bytes);
  } catch (err) {
    throw new JobError('JOB_RESULT_WRITE', `cannot write ${file}: ${(err as Error).message}`);
  }
  const t3 = Date.now();
  const object = { kind: 'SR' as const, sopClassUid: SOP.enhancedSrStorage, sopInstanceUid: sr.sopInstanceUid,
    seriesInstanceUid: sr.seriesInstanceUid, transferSyntaxUid: TS.explicitLittle, path: file, size: sr.bytes.length };
  const ours = transaction(db, () => {
    if (!finishJob(db, job, 'done')) return false; // cancelled or reclaimed: write nothing
    insertResultObjects(db, job.id, [object]);
    enqueueDeliveries(db, destinations.map((destinationId) => ({ jobId: job.id, destinationId, path: file,
      sopClassUid: object.sopClassUid, sopInstanceUid: object.sopInstanceUid, transferSyntaxUid: TS.explicitLittle })));
    appendStage(db, job, stageRecord('export', t2, t3, t3 - t2));
    return true;
  });
  if (ours) observeStage('export', t3 - t2);
  return ours;
}

/** The worker's coded refusals (MEASURE_*, SEG_READ_*, FEAT_*, ENC_*) are thrown as they are. */
function succeeded(reply: ReferencesReply | MeasureReply): ReferencesReply | MeasureReply {
  if (!reply.ok) throw Object.assign(new Error(`${reply.code}: ${reply.message}`), { code: reply.code });
  return reply;
}

/** The measure action's configuration in the rules version that made the job (validated when it was saved), over
 *  the CT defaults for CT and the arbitrary-unit defaults for any other modality. */
function featureConfigOf(db: JobContext['db'], job: ClaimedJob, modality: string): FeatureConfig {
  const row = getJob(db, job.id);
  const rule = row && ruleVersion(db, row.rulesVersion)?.rules.find((r) => r.id === row.ruleId);
  const action = rule?.actions.find((a) => a.type === 'measure');
  const defaults = modality === 'CT' ? CT_FEATURE_DEFAULTS : ARBITRARY_UNIT_FEATURE_DEFAULTS;
  const resolved = resolveFeatureConfig(action?.type === 'measure' ? action.features : undefined, defaults);
  // Rules are validated when saved; a rule edited to something the resolver now refuses still fails with a code.
  if (!resolved.ok) throw new FeatureError('FEAT_CONFIG',
    resolved.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  return resolved.config;
}
