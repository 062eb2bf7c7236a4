// The feature stage in its worker thread: the same features as in-thread, coded refusals, and an event loop that
// keeps turning while the worker computes.
import { describe, expect, it } from 'vitest';
import { CT_FEATURE_DEFAULTS, measureRoi } from '../../../src/features/index.js';
import { cropAround } from '../../../src/features/crop.js';
import type { FeatureRequest } from '../../../src/features/feature-worker.js';
import { featureWorkersFor, measureSegmentsInWorker,
  stopIdleFeatureWorkers } from '../../../src/features/measure-in-worker.js';

function request(): FeatureRequest {
  const dims = [20, 24, 28] as const, spacing = [2, 0.8, 0.8] as const, n = dims[0] * dims[1] * dims[2];
  const image = new Float32Array(new SharedArrayBuffer(n * 4)), labels = new Uint8Array(new SharedArrayBuffer(n));
  for (let z = 0, v = 0; z < dims[0]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[2]; x++, v++) {
    image[v] = -50 + ((x * 37 + y * 11 + z * 5) % 90);
    if ((z - 10) ** 2 * 4 + (y - 12) ** 2 * 0.64 + (x - 10) ** 2 * 0.64 < 30) labels[v] = 1;
    else if (x >= 20 && x < 25 && y >= 5 && y < 10 && z >= 4 && z < 8) labels[v] = 3;
  }
  return { image, labels, dims, spacing, config: CT_FEATURE_DEFAULTS,
    segments: [{ label: 'ball', labelValues: [1] }, { label: 'box', labelValues: [3] }] };
}

describe('feature worker', () => {
  it('computes, in a worker thread, what the stage computes in-thread, for each segment', async () => {
    const r = request();
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const reply = await measureSegmentsInWorker(r);
    clearInterval(ticker);
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.segments.map((s) => s.label)).toEqual(['ball', 'box']);
    const inThread = measureRoi(cropAround(r.image, r.labels, [1], r.dims, r.spacing), r.config);
    expect(reply.segments[0]!.features).toEqual(inThread);
    // the box is 5 × 5 × 4 voxels of 0.8 × 0.8 × 2 mm = 128 mm³, i.e. 16 voxels of 2 mm after resampling
    expect(reply.segments[1]!.features.find((f) => f.id === 'YEKZ')!.value).toBeCloseTo(128, 6);
    expect(turns).toBeGreaterThan(0); // the event loop ran while the worker computed
  });

  it('answers a segment without voxels as skipped (FEAT_EMPTY_ROI), and still measures the others', async () => {
    const reply = await measureSegmentsInWorker(
      { ...request(), segments: [{ label: 'absent', labelValues: [7] }, { label: 'ball', labelValues: [1] }] });
    if (!reply.ok) throw new Error(reply.message);
    expect(reply.segments[0]).toMatchObject(
      { label: 'absent', features: [], skipped: expect.stringMatching(/^FEAT_EMPTY_ROI: /) });
    expect(reply.segments[1]!.features.length).toBeGreaterThan(0);
  });

  it('shares the segments out over several workers and answers them in the request\'s order, as one worker does',
    async () => {
      const segments = [{ label: 'ball', labelValues: [1] }, { label: 'absent', labelValues: [7] },
        { label: 'box', labelValues: [3] }];
      const [two, one] = await Promise.all([2, 1].map((w) => measureSegmentsInWorker({ ...request(), segments }, w)));
      if (!two!.ok || !one!.ok) throw new Error('a worker failed');
      expect(two!.segments.map((s) => s.label)).toEqual(['ball', 'absent', 'box']);
      expect(two!.segments.map((s) => [s.label, s.features, s.skipped])).toEqual(
        one!.segments.map((s) => [s.label, s.features, s.skipped]));
      expect(two!.segments[2]!.features.length).toBeGreaterThan(100);
    });

  it('uses one worker for one segment, and never more than four or than there are segments', () => {
    expect(featureWorkersFor(1)).toBe(1);
    expect(featureWorkersFor(2)).toBeGreaterThanOrEqual(1);
    expect(featureWorkersFor(2)).toBeLessThanOrEqual(2);
    expect(featureWorkersFor(50)).toBeLessThanOrEqual(4);
  });

  it('gives the same answer from warm workers kept for the next series as from fresh ones', async () => {
    const first = await measureSegmentsInWorker(request());
    const warm = await measureSegmentsInWorker(request());
    stopIdleFeatureWorkers();
    const fresh = await measureSegmentsInWorker(request());
    const features = (r: typeof first) => (r.ok ? r.segments.map((s) => s.features) : r.message);
    expect(features(warm)).toEqual(features(first));
    expect(features(fresh)).toEqual(features(first));
    expect(first.ok && first.segments[0]!.features.length).toBeGreaterThan(100);
  });

  it('answers an image that does not fit the grid with FEAT_INPUT', async () => {
    const reply = await measureSegmentsInWorker({ ...request(), image: new Float32Array(10) });
    expect(reply).toMatchObject({ ok: false, code: 'FEAT_INPUT' });
  });
});
