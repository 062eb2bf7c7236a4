// Worker-thread entry of a measure job: a SEG (or an RT Structure Set's contours) from elsewhere placed on its source
// grid, IBSI features of each segment or ROI, and the TID 1500 SR that references both, all off the event loop.
// The image arrives on shared memory.
import { performance } from 'node:perf_hooks';
import { encodeMeasurementReport } from '../encode/sr.js';
import type { SegmentFeatureMeasurement } from '../encode/sr-features.js';
import type { AlgorithmIdentity, JobIdentity, MeasurementReportResult, SourceSlice } from '../encode/types.js';
import { cropAround } from '../features/crop.js';
// measure.js and types.js, not the features index: this thread computes, the validator (ajv) stays unloaded
import { measureRoi } from '../features/measure.js';
import { FeatureError } from '../features/types.js';
import type { FeatureConfig } from '../features/index.js';
import { answerRequests } from '../worker-start.js';
import { foreignSegments, segmentationReferences, type SegmentationReferences } from './foreign-segmentation.js';
import { foreignRois, rtStructReferences } from './foreign-rtstruct.js';
import { SOP } from '../dicom/uids.js';

export interface MeasureRequest {
  segBytes: Uint8Array; refs: SegmentationReferences; slices: SourceSlice[];
  /** the source series on its grid: [columns, rows, slices], spacing in mm in the same order */
  image: Float32Array; dims: [number, number, number]; spacing: [number, number, number];
  config: FeatureConfig; algorithm: AlgorithmIdentity; job: JobIdentity;
}
export type MeasureReply =
  | { ok: true; sr: MeasurementReportResult; measured: number; ms: number }
  | { ok: false; code: string; message: string };
/** First request of a job: what the object references (its parse, a large RTSTRUCT's thousands of contours
 *  included, stays off the event loop); the job then checks the sources, loads them and asks to measure. */
export interface ReferencesRequest { references: Uint8Array; sopClassUid: string }
export type ReferencesReply = { ok: true; refs: SegmentationReferences } | { ok: false; code: string; message: string };

// two requests per job (references, then measure); the job stops the worker after the second
answerRequests((r: ReferencesRequest | MeasureRequest) => (
  'references' in r ? referencesOf(r) : measureSegmentation(r)));

/** SEG or RT Structure Set by the stored SOP class; the parsers check the object's own (MEASURE_NOT_SEG). */
export function referencesOf(r: ReferencesRequest): ReferencesReply {
  try {
    const refs = r.sopClassUid === SOP.rtStructureSetStorage ? rtStructReferences(r.references)
      : segmentationReferences(r.references);
    return { ok: true, refs };
  } catch (err) {
    return refusal(err);
  }
}

/** Exported for tests, which run it in their own thread. */
export function measureSegmentation(r: MeasureRequest): MeasureReply {
  const t0 = performance.now();
  try {
    const [cols, rows, slices] = r.dims;
    const [di, dj, dk] = r.spacing;
    const place = r.refs.kind === 'RTSTRUCT' ? foreignRois : foreignSegments;
    const { segments, seg } = place(r.segBytes, r.refs, r.slices, (di * dj * dk) / 1000);
    const features: SegmentFeatureMeasurement[] = [];
    for (const s of segments.filter((x) => x.encoded.voxelCount > 0)) {
      try {
        const roi = cropAround(r.image, s.mask, [1], [slices, rows, cols], [dk, dj, di]);
        features.push({ label: s.encoded.label, features: measureRoi(roi, r.config), config: r.config });
      } catch (err) {
        // nothing left after re-segmentation: the segment is reported without features, the others still are
        if (!(err instanceof FeatureError && err.code === 'FEAT_EMPTY_ROI')) throw err;
      }
    }
    const sr = encodeMeasurementReport(r.slices, seg, segments.map((s) => s.description), r.algorithm, r.job,
      undefined, features);
    return { ok: true, sr, measured: features.length, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return refusal(err);
  }
}

/** A coded error as it is (SEG_READ_*, FEAT_*, ENC_*, MEASURE_*), anything else MEASURE_WORKER_FAILED. */
function refusal(err: unknown): { ok: false; code: string; message: string } {
  const e = err as { code?: unknown; message?: string };
  const code = typeof e?.code === 'string' ? e.code : 'MEASURE_WORKER_FAILED';
  const message = (e?.message ?? String(err)).replace(new RegExp(`^${code}: `), '');
  return { ok: false, code, message };
}
