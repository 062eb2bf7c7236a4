// Worker-thread entry: label volume + source headers → SEG (or its absence), SR bytes and the quality check of the
// label map against the manifest's checks, off the main event loop.
// The HU statistics the SR reports are measured by a second worker (stats-worker) on another core while this one
// encodes the SEG; the SR is built once both are done.
import { performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';
import { EncodeError } from '../encode/errors.js';
import { wantsIntensityStatistics } from '../encode/intensity-stats.js';
import { encodeSegmentation, nothingSegmented } from '../encode/seg.js';
import { encodeMeasurementReport } from '../encode/sr.js';
import { checkResult, type QcResult } from '../qc/index.js';
import type {
  AlgorithmIdentity, JobIdentity, LabelVolume, MeasurementReportResult, SegmentDescription, SegmentationResult,
  SourceSlice
} from '../encode/types.js';
import { answerRequests, RequestWorker } from '../worker-start.js';
import { encodeFailure, type EncodeFailure } from './encode-failure.js';
import type { StatisticsReply, StatisticsRequest } from './stats-worker.js';
import type { SegmentFeatureMeasurement } from '../encode/sr-features.js';

export interface EncodeRequest {
  slices: SourceSlice[]; labels: LabelVolume; segments: SegmentDescription[];
  algorithm: AlgorithmIdentity; job: JobIdentity;
  /** source intensities (HU) on the label grid, for the SR's statistics; keep it on a SharedArrayBuffer */
  intensities: Float32Array;
  /** the label grid's geometry for the quality check: mm [column, row, slice] spacing (Volume.spacing) */
  spacing?: [number, number, number];
  /** IBSI features per segment from the feature stage, written into the SR's measurement groups */
  features?: SegmentFeatureMeasurement[];
}
/** segMs, qcMs and srMs in this worker, statsMs in the statistics worker, waitMs: SEG and QC done → statistics
 *  in hand */
export interface EncodeTimings { segMs: number; qcMs: number; statsMs: number; waitMs: number; srMs: number }
export type EncodeReply =
  | { ok: true; seg: Omit<SegmentationResult, 'labels'>; sr: MeasurementReportResult; qc: QcResult;
    timings: EncodeTimings }
  | EncodeFailure;

// The statistics worker starts with this one, so both are loaded by the time the request comes.
const statsWorker = isMainThread ? undefined : new RequestWorker<StatisticsRequest, StatisticsReply>(
  import.meta.url, 'stats-worker', (reason) => new Error(reason));
answerRequests(encodeResults, { once: true });

async function encodeResults(r: EncodeRequest): Promise<EncodeReply> {
  const measuring = wantsIntensityStatistics(r.segments) ? measureInWorker(r) : undefined;   // starts before the SEG
  if (!measuring) statsWorker?.stop();
  try {
    const t0 = performance.now();
    const { labels: _labels, ...seg } = segmentationOrAbsence(r);
    const tQc = performance.now();
    const qc = qualityCheck(r);
    const t1 = performance.now();
    const measured = await measuring;
    const t2 = performance.now();
    // Nothing segmented: no statistics of absent segments (and none of their failures).
    const wanted = seg.segments.length > 0 ? measured : undefined;
    if (wanted && !wanted.ok) return wanted;
    const sr = encodeMeasurementReport(r.slices, { ...seg, labels: r.labels }, r.segments, r.algorithm, r.job,
      wanted?.statistics, r.features);
    const t3 = performance.now();
    const timings = {
      segMs: ms(tQc - t0), qcMs: ms(t1 - tQc), statsMs: measured?.ok ? measured.ms : 0, waitMs: ms(t2 - t1),
      srMs: ms(t3 - t2),
    };
    return { ok: true, seg, sr, qc, timings };
  } catch (err) {
    return encodeFailure(err);
  }
}

/** Never rejects: a crash of the statistics worker becomes ENC_WORKER_FAILED like a crash of this one. */
function measureInWorker(r: EncodeRequest): Promise<StatisticsReply> {
  const crashed = (message: string): EncodeFailure => ({ ok: false, code: 'ENC_WORKER_FAILED', message });
  return statsWorker!.ask({ labels: r.labels, segments: r.segments, intensities: r.intensities })
    .catch((err: Error) => crashed(`statistics ${err.message}`));
}

/**
 * The manifest's plausibility checks on the label map. The checks count dims as [slices, rows, columns], the
 * encoder as [columns, rows, slices]: the same memory layout, the axes named from the other end.
 */
function qualityCheck(r: EncodeRequest): QcResult {
  if (!r.spacing) return { state: 'none', reasons: [], measurements: [] };
  const [cols, rows, slices] = r.labels.dims;
  const [columnMm, rowMm, sliceMm] = r.spacing;
  return checkResult({
    labels: { data: r.labels.data, dims: [slices, rows, cols], spacingMm: [sliceMm, rowMm, columnMm] },
    scannedLengthCm: (slices * sliceMm) / 10,
    segments: r.segments,
  });
}

/** A SEG needs at least one segment; with none, the SR alone reports every absence. */
function segmentationOrAbsence(r: EncodeRequest): SegmentationResult {
  try {
    return encodeSegmentation(r.slices, r.labels, r.segments, r.algorithm, r.job);
  } catch (err) {
    if (err instanceof EncodeError && err.code === 'ENC_NOTHING_SEGMENTED') return nothingSegmented(r.segments);
    throw err;
  }
}

const ms = (x: number) => Math.round(x);
