// Main-thread side of the feature stage: one one-shot worker per series, so the event loop never computes features.
import { RequestWorker } from '../worker-start.js';
import type { FeatureReply, FeatureRequest } from './feature-worker.js';
import { FeatureError } from './types.js';

/** Features for every segment of the request, computed in a fresh worker thread; crashes come back as FEAT_WORKER. */
export async function measureSegmentsInWorker(request: FeatureRequest): Promise<FeatureReply> {
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
