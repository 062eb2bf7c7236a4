// Worker-thread entry of the feature stage: IBSI features for each segment of one series, off the event loop. The
// image and labels arrive as views on SharedArrayBuffers (nothing large is copied); each segment is cropped first.
import { performance } from 'node:perf_hooks';
import { answerRequests } from '../worker-start.js';
import { cropAround } from './crop.js';
import type { FeatureConfig } from './config.js';
import { measureRoi } from './measure.js';
import { FeatureError, type Feature, type FeatureErrorCode, type GridDims, type GridSpacing } from './types.js';

export interface SegmentToMeasure { label: string; labelValues: number[] }

export interface FeatureRequest {
  image: Float32Array;
  labels: Uint8Array;
  dims: GridDims;
  spacing: GridSpacing;
  segments: SegmentToMeasure[];
  config: FeatureConfig;
}

/** skipped: why a segment has no features (FEAT_EMPTY_ROI: no voxel, or none left after re-segmentation). */
export interface SegmentFeatures { label: string; features: Feature[]; ms: number; skipped?: string }
export type FeatureReply =
  | { ok: true; segments: SegmentFeatures[]; ms: number }
  | { ok: false; code: FeatureErrorCode; message: string; label?: string };

answerRequests(measureSegments); // kept warm between series by measure-in-worker.ts

export function measureSegments(r: FeatureRequest): FeatureReply {
  const t0 = performance.now();
  const segments: SegmentFeatures[] = [];
  for (const s of r.segments) {
    const t1 = performance.now();
    try {
      const roi = cropAround(r.image, r.labels, s.labelValues, r.dims, r.spacing);
      segments.push({ label: s.label, features: measureRoi(roi, r.config), ms: Math.round(performance.now() - t1) });
    } catch (err) {
      // An empty segment is a finding (the SR reports it), not a failure of the other segments.
      if (err instanceof FeatureError && err.code === 'FEAT_EMPTY_ROI') {
        segments.push({ label: s.label, features: [], ms: Math.round(performance.now() - t1),
          skipped: `${err.code}: ${err.message}` });
        continue;
      }
      if (err instanceof FeatureError) return { ok: false, code: err.code, message: err.message, label: s.label };
      return { ok: false, code: 'FEAT_WORKER', message: (err as Error)?.message ?? String(err), label: s.label };
    }
  }
  return { ok: true, segments, ms: Math.round(performance.now() - t0) };
}
