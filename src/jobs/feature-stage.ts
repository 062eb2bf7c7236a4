// The feature stage of a job: IBSI features of the segments that ask for them, computed in worker threads (per
// distinct configuration, its segments shared out over the cores), on the volume's grid; the event loop only waits.
import { FeatureError, type FeatureConfig } from '../features/index.js';
import { measureSegmentsInWorker } from '../features/measure-in-worker.js';
import type { SegmentFeatureMeasurement } from '../encode/sr-features.js';

export interface FeatureTarget { label: string; labelValues: number[]; config: FeatureConfig }

/** A volume as the loader gives it: [columns, rows, slices] and mm spacing in the same order; labels on its grid. */
export interface MeasuredVolume {
  data: Float32Array; labels: Uint8Array; dims: [number, number, number]; spacing: [number, number, number];
}

/** Features per target segment (empty segments come back without features); rejects with a coded FeatureError. */
export async function measureFeatures(
  volume: MeasuredVolume, targets: FeatureTarget[],
): Promise<SegmentFeatureMeasurement[]> {
  if (targets.length === 0) return [];
  const image = onSharedMemory(volume.data);
  const labels = onSharedMemory(volume.labels);
  const [cols, rows, slices] = volume.dims;
  const [di, dj, dk] = volume.spacing;
  const byConfig = new Map<string, FeatureTarget[]>();
  for (const t of targets) {
    const key = JSON.stringify(t.config);
    byConfig.set(key, [...(byConfig.get(key) ?? []), t]);
  }
  const out: SegmentFeatureMeasurement[] = [];
  for (const group of byConfig.values()) {
    const reply = await measureSegmentsInWorker({
      image, labels, dims: [slices, rows, cols], spacing: [dk, dj, di], config: group[0]!.config,
      segments: group.map((t) => ({ label: t.label, labelValues: t.labelValues })),
    });
    if (!reply.ok) {
      throw new FeatureError(reply.code, reply.label ? `segment "${reply.label}": ${reply.message}` : reply.message);
    }
    for (const s of reply.segments) {
      if (!s.skipped) out.push({ label: s.label, features: s.features, config: group[0]!.config });
    }
  }
  return out;
}

/** Worker threads read the arrays in place: one copy to shared memory instead of one per structured clone. */
function onSharedMemory<T extends Uint8Array | Float32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const shared = new SharedArrayBuffer(a.byteLength);
  const copy = a instanceof Float32Array ? new Float32Array(shared) : new Uint8Array(shared);
  copy.set(a);
  return copy as T;
}
