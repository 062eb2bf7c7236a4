// Worker-thread entry: label volume + source headers → the SEG's Part-10 bytes (or, with nothing segmented, the
// absence the SR reports), off the main event loop. The SR is built on its own worker meanwhile (sr-worker).
import { performance } from 'node:perf_hooks';
import { EncodeError } from '../encode/errors.js';
import { encodeSegmentation, nothingSegmented } from '../encode/seg.js';
import type { AlgorithmIdentity, JobIdentity, LabelVolume, SegmentDescription, SegmentationResult, SourceSlice } from '../encode/types.js';
import { answerRequests } from '../worker-start.js';
import { encodeFailure, type EncodeFailure } from './encode-failure.js';

export interface SegRequest {
  slices: SourceSlice[]; labels: LabelVolume; segments: SegmentDescription[]; algorithm: AlgorithmIdentity; job: JobIdentity;
}
export type SegReply = { ok: true; seg: Omit<SegmentationResult, 'labels'>; ms: number } | EncodeFailure;

answerRequests((r: SegRequest): SegReply => {
  const t0 = performance.now();
  try {
    const { labels: _labels, ...seg } = segmentationOrAbsence(r);
    return { ok: true, seg, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return encodeFailure(err);
  }
}, { once: true });

/** A SEG needs at least one segment; with none, the SR alone reports every absence. */
function segmentationOrAbsence(r: SegRequest): SegmentationResult {
  try {
    return encodeSegmentation(r.slices, r.labels, r.segments, r.algorithm, r.job);
  } catch (err) {
    if (err instanceof EncodeError && err.code === 'ENC_NOTHING_SEGMENTED') return nothingSegmented(r.segments);
    throw err;
  }
}
