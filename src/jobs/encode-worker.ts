// Worker-thread entry: label volume + source headers → SEG (or its absence) and SR bytes, off the main event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { EncodeError, type EncodeErrorCode } from '../encode/errors.js';
import { encodeSegmentation, nothingSegmented } from '../encode/seg.js';
import { encodeMeasurementReport } from '../encode/sr.js';
import type { AlgorithmIdentity, JobIdentity, LabelVolume, MeasurementReportResult, SegmentDescription, SegmentationResult, SourceSlice } from '../encode/types.js';

export interface EncodeRequest {
  slices: SourceSlice[]; labels: LabelVolume; segments: SegmentDescription[];
  algorithm: AlgorithmIdentity; job: JobIdentity;
  /** source intensities (HU) on the label grid, for the SR's statistics */
  intensities: Float32Array;
}
export type EncodeReply =
  | { ok: true; seg: Omit<SegmentationResult, 'labels'>; sr: MeasurementReportResult }
  | { ok: false; code: EncodeErrorCode | 'ENC_WORKER_FAILED'; message: string };

const request = workerData as EncodeRequest | undefined;
if (parentPort && request) parentPort.postMessage(encodeResults(request));

export function encodeResults(r: EncodeRequest): EncodeReply {
  try {
    const { labels: _labels, ...seg } = segmentationOrAbsence(r);
    // Nothing segmented: no statistics of absent segments.
    const sr = encodeMeasurementReport(r.slices, { ...seg, labels: r.labels }, r.segments, r.algorithm, r.job, seg.segments.length ? r.intensities : undefined);
    return { ok: true, seg, sr };
  } catch (err) {
    if (err instanceof EncodeError) return { ok: false, code: err.code, message: err.message.slice(err.code.length + 2) };
    return { ok: false, code: 'ENC_WORKER_FAILED', message: `unexpected error while encoding: ${(err as Error)?.message ?? String(err)}` };
  }
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
