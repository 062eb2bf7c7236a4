// Worker-thread entry: the TID 1500 SR, built beside the SEG worker on another core. It summarises the SEG the
// other worker writes (same UIDs and segments, from one histogram pass), measures the HU statistics, and writes
// the SR. Labels and intensities arrive as views on SharedArrayBuffers, so nothing large is copied.
import { performance } from 'node:perf_hooks';
import { summarizeSegmentation } from '../encode/seg.js';
import { encodeMeasurementReport } from '../encode/sr.js';
import type { MeasurementReportResult } from '../encode/types.js';
import { answerRequests } from '../worker-start.js';
import { encodeFailure, type EncodeFailure } from './encode-failure.js';
import type { SegRequest } from './seg-worker.js';

export interface SrRequest extends SegRequest {
  /** source intensities (HU) on the label grid, for the statistics; keep it on a SharedArrayBuffer */
  intensities: Float32Array;
}
export type SrReply = { ok: true; sr: MeasurementReportResult; ms: number } | EncodeFailure;

answerRequests((r: SrRequest): SrReply => {
  const t0 = performance.now();
  try {
    const summary = summarizeSegmentation(r.slices, r.labels, r.segments, r.algorithm, r.job);
    // Nothing segmented: no statistics of absent segments (and none of their failures).
    const intensities = summary.segments.length > 0 ? r.intensities : undefined;
    const sr = encodeMeasurementReport(r.slices, summary, r.segments, r.algorithm, r.job, intensities);
    return { ok: true, sr, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return encodeFailure(err);
  }
}, { once: true });
