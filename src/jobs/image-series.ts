// The pipeline of a classification or detection model: the series' images (each file's frame for an image model, or
// the series loaded as a volume for a per-slice model) → the model's inference worker (load, prepare, run, findings
// or boxes in source pixels) → the SR in a report worker. Each stage reports its timing; the event loop only waits.
import { performance } from 'node:perf_hooks';
import { EncodeError, type EncodeErrorCode } from '../encode/errors.js';
import type { ClassifiedImage } from '../encode/sr-classification.js';
import type { JobIdentity, MeasurementReportResult, SourceSlice } from '../encode/types.js';
import {
  runImageModel, InferenceError, type ImageOutput, type Image2dSource, type ModelManifest, type ModelRegistry
} from '../infer/index.js';
import { loadSeriesVolume } from '../infer/volume/index.js';
import type { Detection } from '../infer/detect/index.js';
import type { ResultFinding } from '../route/types.js';
import { RequestWorker } from '../worker-start.js';
import type { ReportReply, ReportRequest } from './report-worker.js';
import type { StageTiming } from './segment-series.js';

export interface FoundSeries {
  manifest: ModelManifest; provider: string; seriesInstanceUid: string; studyInstanceUid: string; images: number;
  sr: MeasurementReportResult;
  /** what the rules' Finding condition sees: per class, present or not, its best score, per slice its slices */
  findings: ResultFinding[];
}

/** Runs a classification or detection model on the series in `files` (sorted by the volume loader when per slice). */
export async function findInSeries(
  registry: ModelRegistry, modelId: string, files: string[], job: JobIdentity,
  onStage: (t: StageTiming) => void = () => {},
): Promise<FoundSeries> {
  const manifest = registry.get(modelId)?.manifest;
  if (!manifest || registry.get(modelId)?.state !== 'ready') throw new InferenceError('MODEL_NOT_READY',
    `model "${modelId}" is not ready`);
  const perSlice = manifest.inference.mode === 'perSlice';
  const loaded = perSlice ? await timed('load', onStage,
    () => loadSeriesVolume(files, { minSlices: manifest.applicability.minSlices ?? 1 })) : undefined;
  const source: Image2dSource = loaded
    ? { kind: 'slices', data: loaded.volume.data, columns: loaded.volume.dims[0], rows: loaded.volume.dims[1],
      datasets: loaded.slices.map((s) => s.dataset) }
    : { kind: 'frames', frames: files.map(
      (file) => ({ file, frameNumber: manifest.input.kind === 'image2d' ? manifest.input.frame : undefined })) };
  const reporter = new RequestWorker<ReportRequest, ReportReply>(import.meta.url, 'report-worker',
    (reason) => new EncodeError('ENC_WORKER_FAILED' as EncodeErrorCode, `report ${reason}`));
  let run: Awaited<ReturnType<typeof runImageModel>>;
  try {
    run = await timed('infer', onStage, () => runImageModel(registry, modelId, source));
  } catch (err) {
    reporter.stop();
    throw err;
  }
  const sources: SourceSlice[] = loaded ? loaded.slices : run.images.map(sourceOf);
  const algorithm = { ...manifest.algorithm, modelId: manifest.id };
  const request: ReportRequest = manifest.detection
    ? { kind: 'detection', report: { sources, detections: run.images.flatMap(
      (i) => boxesOf(i, !loaded)), classes: manifest.detection.classes, algorithm, job } }
    : { kind: 'classification', report: { sources, images: run.images.map(classified),
      scope: loaded ? 'perSlice' : 'image', algorithm, job } };
  const reply = await timed('encode', onStage, () => reporter.ask(request));
  if (!reply.ok) throw new EncodeError(reply.code as EncodeErrorCode, reply.message);
  const first = sources[0]!.dataset;
  return {
    manifest, provider: run.provider, images: run.images.length,
    seriesInstanceUid: String(first.SeriesInstanceUID ?? ''), studyInstanceUid: String(first.StudyInstanceUID ?? ''),
    sr: { bytes: new Uint8Array(reply.bytes.buffer, reply.bytes.byteOffset,
      reply.bytes.byteLength), sopInstanceUid: reply.sopInstanceUid, seriesInstanceUid: reply.seriesInstanceUid },
    findings: summarise(manifest, run.images, !!loaded),
  };
}

function sourceOf(image: ImageOutput): SourceSlice {
  return { sopInstanceUid: image.sopInstanceUid ?? '', sopClassUid: image.sopClassUid ?? '', ...(
    image.frameNumber ? { frameNumber: image.frameNumber } : {}),
    dataset: image.dataset ?? {} };
}

/** Several images of an image model are sources of one report: each box names its image by index (as a slice). */
function boxesOf(image: ImageOutput, frames: boolean): Detection[] {
  return (image.detections ?? []).map((d) => (frames ? { ...d, slice: image.index } : d));
}

function classified(image: ImageOutput): ClassifiedImage {
  return { sopClassUid: image.sopClassUid ?? '', sopInstanceUid: image.sopInstanceUid ?? '',
    frameNumber: image.frameNumber, findings: image.findings ?? [] };
}

/** One finding per class: present when any image (slice) has it, its best score, and per slice the slices with it. */
export function summarise(manifest: ModelManifest, images: ImageOutput[], perSlice: boolean): ResultFinding[] {
  const classes = manifest.classification?.classes ?? manifest.detection?.classes ?? [];
  return classes.map((c, n) => {
    const perImage = images.map((img) => {
      if (img.findings) return { present: img.findings[n]!.present, score: img.findings[n]!.score };
      const boxes = (img.detections ?? []).filter((d) => d.classIndex === n);
      return { present: boxes.length > 0, score: boxes.length ? Math.max(...boxes.map((b) => b.score)) : null };
    });
    const scores = perImage.map((p) => p.score).filter((s): s is number => s !== null);
    const slices = images.filter((_, k) => perImage[k]!.present).map((img) => img.index);
    return {
      model: manifest.id, code: c.code, present: perImage.some(
        (p) => p.present), score: scores.length ? Math.max(...scores) : null,
      ...(perSlice ? { slices } : {}),
    };
  });
}

async function timed<T>(stage: StageTiming['stage'], onStage: (t: StageTiming) => void,
  work: () => Promise<T>): Promise<T> {
  const startedAt = Date.now();
  const t0 = performance.now();
  const value = await work();
  onStage({ stage, startedAt, endedAt: Date.now(), ms: Math.round(performance.now() - t0) });
  return value;
}
