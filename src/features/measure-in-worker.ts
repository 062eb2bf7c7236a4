// Main-thread side of the feature stage: one-shot worker threads per series, so the event loop never computes
// features. Segments are shared out over up to one worker per core (at most MAX_WORKERS): a 500 ml and a 20 ml
// segment then cost the larger one's time, not the sum, and each thread reads the same shared image and labels.
import { availableParallelism } from 'node:os';
import { RequestWorker } from '../worker-start.js';
import type { FeatureReply, FeatureRequest, SegmentFeatures } from './feature-worker.js';
import { FeatureError } from './types.js';

/** More threads than this gain little (segments are seldom that many) and each costs ~30 MB and its start-up. */
const MAX_WORKERS = 4;

/** Features for every segment of the request, in the request's order; crashes come back as FEAT_WORKER. */
export async function measureSegmentsInWorker(request: FeatureRequest, workers = defaultWorkers(request)): Promise<FeatureReply> {
  const t0 = Date.now();
  const n = Math.max(1, workers);
  // round robin: the caller's order (a manifest's segments) says nothing about size, so no better share is known
  const shares = Array.from({ length: n }, (_, w) => request.segments.map((_, i) => i).filter((i) => i % n === w))
    .filter((share) => share.length > 0);
  const replies = await Promise.all(shares.map((share) => askOne({ ...request, segments: share.map((i) => request.segments[i]!) })));
  const failed = replies.find((r) => !r.ok);
  if (failed) return failed;
  const segments: SegmentFeatures[] = [];
  replies.forEach((r, w) => { if (r.ok) r.segments.forEach((s, j) => { segments[shares[w]![j]!] = s; }); });
  return { ok: true, segments, ms: Date.now() - t0 };
}

function defaultWorkers(request: FeatureRequest): number {
  return Math.min(request.segments.length, availableParallelism(), MAX_WORKERS);
}

async function askOne(request: FeatureRequest): Promise<FeatureReply> {
  const worker = new RequestWorker<FeatureRequest, FeatureReply>(import.meta.url, 'feature-worker',
    (reason) => new FeatureError('FEAT_WORKER', reason));
  try {
    return await worker.ask(request);
  } catch (err) {
    return { ok: false, code: 'FEAT_WORKER', message: (err as Error).message };
  } finally {
    worker.stop();
  }
}
