// The pipeline the runner and `dicom-ai-node segment` share: series files → volume (worker) → model
// (worker pool) → SEG + SR bytes (worker, with the SR's statistics on a second worker). Each stage reports its
// timing; the event loop only waits.
import { performance } from 'node:perf_hooks';
import { EncodeError, type EncodeErrorCode } from '../encode/errors.js';
import type { JobIdentity, MeasurementReportResult, SegmentationResult } from '../encode/types.js';
import { runModel, warmModel, InferenceError, type ModelRegistry, type ModelManifest } from '../infer/index.js';
import { loadSeriesVolume, type LoadedSeries } from '../infer/volume/index.js';
import type { QcResult } from '../qc/index.js';
import type { EncodeReply, EncodeRequest, EncodeTimings } from './encode-worker.js';
import { RequestWorker } from '../worker-start.js';
import { resolveFeatureConfig } from '../features/index.js';
import { measureFeatures, type FeatureTarget } from './feature-stage.js';

export type PipelineStage = 'load' | 'infer' | 'features' | 'encode';
export interface StageTiming { stage: PipelineStage; startedAt: number; endedAt: number; ms: number }

export interface SegmentedSeries {
  manifest: ModelManifest;
  provider: string;
  seriesInstanceUid: string;
  slices: number;
  /** bytes empty when nothing was segmented (a SEG needs a segment; the SR reports the absences) */
  seg: Omit<SegmentationResult, 'labels'>;
  sr: MeasurementReportResult;
  /** the manifest's plausibility checks on the label map (state none when it declares none) */
  qc: QcResult;
  studyInstanceUid: string;
}

/** Runs `modelId` on the series in `files`; rejects with a VolumeError, InferenceError or EncodeError (all with
 *  codes). */
export async function segmentSeries(
  registry: ModelRegistry, modelId: string, files: string[], job: JobIdentity,
  onStage: (t: StageTiming) => void = () => {},
  /** The same files' volume, loaded ahead (preload.ts); the load stage then times only the wait for it. */
  preloaded?: Promise<LoadedSeries>,
): Promise<SegmentedSeries> {
  const manifest = readyManifest(registry, modelId);
  warmModel(registry, modelId); // no worker runs before the first job; this one starts while the series loads
  const loaded = await timed('load', onStage,
    () => preloaded ?? loadSeriesVolume(files, { minSlices: manifest.applicability.minSlices }));
  const encoder = startEncoder(); // its start-up overlaps the model run
  let run: Awaited<ReturnType<typeof runModel>>;
  try {
    run = await timed('infer', onStage, () => runModel(registry, modelId, loaded.volume));
  } catch (err) {
    encoder.stop();
    throw err;
  }
  const targets = featureTargets(manifest);
  let features;
  try {
    features = targets.length === 0 ? undefined : await timed('features', onStage, () => measureFeatures(
      { data: loaded.volume.data, labels: run.labels, dims: loaded.volume.dims, spacing: loaded.volume.spacing },
      targets));
  } catch (err) {
    encoder.stop();
    throw err;
  }
  const encoded = await timed('encode', onStage, () => encodeInWorkers({
    slices: loaded.slices, labels: { dims: loaded.volume.dims, data: run.labels }, segments: manifest.segments,
    algorithm: { ...manifest.algorithm, modelId: manifest.id }, job, intensities: loaded.volume.data,
    spacing: loaded.volume.spacing, features,
  }, encoder));
  return {
    manifest, provider: run.provider, seriesInstanceUid: loaded.seriesInstanceUid, slices: loaded.slices.length,
    seg: encoded.seg, sr: encoded.sr, qc: encoded.qc, studyInstanceUid: loaded.studyInstanceUid,
  };
}

export interface EncodedSeries {
  seg: Omit<SegmentationResult, 'labels'>; sr: MeasurementReportResult; qc: QcResult; timings: EncodeTimings
}

type Encoder = RequestWorker<EncodeRequest, EncodeReply>;
const crashed = (reason: string) => new EncodeError('ENC_WORKER_FAILED' as EncodeErrorCode, reason);

/** The encode worker (which starts the statistics worker beside it), ready for one request. */
export function startEncoder(): Encoder {
  return new RequestWorker<EncodeRequest, EncodeReply>(import.meta.url, 'encode-worker', crashed);
}

/** The encode stage: SEG and statistics at once on two workers, then the SR; rejects with a coded EncodeError. */
export async function encodeInWorkers(request: EncodeRequest,
  encoder: Encoder = startEncoder()): Promise<EncodedSeries> {
  const shared: EncodeRequest = {
    ...request, labels: request.labels && { ...request.labels, data: onSharedMemory(request.labels.data) },
    intensities: onSharedMemory(request.intensities),
  };
  const reply = await encoder.ask(shared);
  if (!reply.ok) throw new EncodeError(reply.code as EncodeErrorCode, reply.message);
  const { seg, sr } = reply;
  return { seg: { ...seg, bytes: asBytes(seg.bytes) }, sr: { ...sr, bytes: asBytes(sr.bytes) },
    qc: reply.qc, timings: reply.timings };
}

/** Segments whose manifest entry asks for features, with the configuration resolved over the CT defaults (the
 *  manifest was validated at load, so it resolves). Features are opt-in per segment: see README "Features". */
function featureTargets(manifest: ModelManifest): FeatureTarget[] {
  return manifest.segments.flatMap((s) => {
    if (s.features === undefined) return [];
    const resolved = resolveFeatureConfig(s.features === true ? {} : s.features);
    return resolved.ok ? [{ label: s.label, labelValues: s.labelValues, config: resolved.config }] : [];
  });
}

function readyManifest(registry: ModelRegistry, modelId: string): ModelManifest {
  const entry = registry.get(modelId);
  if (!entry) throw new InferenceError('MODEL_NOT_FOUND',
    `no model "${modelId}"; available: ${registry.list().map((m) => m.id).join(', ')}`);
  if (entry.state !== 'ready' || !entry.manifest) throw new InferenceError('MODEL_NOT_READY',
    `model "${modelId}" was refused: ${entry.error?.message ?? 'unknown reason'}`);
  return entry.manifest;
}

async function timed<T>(stage: PipelineStage, onStage: (t: StageTiming) => void,
  work: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const value = await work();
  onStage({ stage, startedAt, endedAt: Date.now(), ms: Math.round(performance.now() - t0) });
  return value;
}

/** Both workers read labels and intensities in place; an array on a plain ArrayBuffer (which structured clone would
 *  copy for each worker: 78–315 MB) is moved to shared memory once. Anything that is not a typed array is left for
 *  the encoder to refuse with its code. */
function onSharedMemory<T extends Uint8Array | Float32Array>(a: T): T {
  if (!(a instanceof Uint8Array || a instanceof Float32Array) || a.buffer instanceof SharedArrayBuffer) return a;
  const copy = a instanceof Float32Array ? new Float32Array(new SharedArrayBuffer(a.byteLength))
    : new Uint8Array(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy as T;
}

/** Structured clone turns a Buffer into a plain Uint8Array; keep it a Uint8Array view. */
const asBytes = (b: Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
