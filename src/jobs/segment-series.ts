// The pipeline the runner and `dicom-ai-node segment` share: series files → volume (worker) → model
// (worker pool) → SEG + SR bytes (worker). Each stage reports its timing; the event loop only waits.
import { performance } from 'node:perf_hooks';
import { EncodeError, type EncodeErrorCode } from '../encode/errors.js';
import type { JobIdentity, MeasurementReportResult, SegmentationResult } from '../encode/types.js';
import { runModel, InferenceError, type ModelRegistry, type ModelManifest } from '../infer/index.js';
import { loadSeriesVolume } from '../infer/volume/index.js';
import type { EncodeReply, EncodeRequest } from './encode-worker.js';
import { oneShotWorker } from '../worker-start.js';

export type PipelineStage = 'load' | 'infer' | 'encode';
export interface StageTiming { stage: PipelineStage; startedAt: number; endedAt: number; ms: number }

export interface SegmentedSeries {
  manifest: ModelManifest;
  provider: string;
  seriesInstanceUid: string;
  slices: number;
  /** bytes empty when nothing was segmented (a SEG needs a segment; the SR reports the absences) */
  seg: Omit<SegmentationResult, 'labels'>;
  sr: MeasurementReportResult;
}

/** Runs `modelId` on the series in `files`; rejects with a VolumeError, InferenceError or EncodeError (all with codes). */
export async function segmentSeries(
  registry: ModelRegistry, modelId: string, files: string[], job: JobIdentity,
  onStage: (t: StageTiming) => void = () => {},
): Promise<SegmentedSeries> {
  const manifest = readyManifest(registry, modelId);
  const loaded = await timed('load', onStage, () => loadSeriesVolume(files, { minSlices: manifest.applicability.minSlices }));
  const run = await timed('infer', onStage, () => runModel(registry, modelId, loaded.volume));
  const request: EncodeRequest = {
    slices: loaded.slices, labels: { dims: loaded.volume.dims, data: run.labels }, segments: manifest.segments,
    algorithm: { ...manifest.algorithm, modelId: manifest.id }, job, intensities: loaded.volume.data,
  };
  const reply = await timed('encode', onStage, () => oneShotWorker<EncodeReply>(import.meta.url, 'encode-worker', request,
    (reason) => new EncodeError('ENC_WORKER_FAILED' as EncodeErrorCode, reason)));
  if (!reply.ok) throw new EncodeError(reply.code as EncodeErrorCode, reply.message);
  return {
    manifest, provider: run.provider, seriesInstanceUid: loaded.seriesInstanceUid, slices: loaded.slices.length,
    seg: { ...reply.seg, bytes: asBytes(reply.seg.bytes) }, sr: { ...reply.sr, bytes: asBytes(reply.sr.bytes) },
  };
}

function readyManifest(registry: ModelRegistry, modelId: string): ModelManifest {
  const entry = registry.get(modelId);
  if (!entry) throw new InferenceError('MODEL_NOT_FOUND', `no model "${modelId}"; available: ${registry.list().map((m) => m.id).join(', ')}`);
  if (entry.state !== 'ready' || !entry.manifest) throw new InferenceError('MODEL_NOT_READY', `model "${modelId}" was refused: ${entry.error?.message ?? 'unknown reason'}`);
  return entry.manifest;
}

async function timed<T>(stage: PipelineStage, onStage: (t: StageTiming) => void, work: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const value = await work();
  onStage({ stage, startedAt, endedAt: Date.now(), ms: Math.round(performance.now() - t0) });
  return value;
}

/** Structured clone turns a Buffer into a plain Uint8Array; keep it a Uint8Array view. */
const asBytes = (b: Uint8Array) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
