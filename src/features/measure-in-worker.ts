// Main-thread side of the feature stage: worker threads, so the event loop never computes features. Segments are
// shared out over up to one worker per idle core (at most MAX_WORKERS): a 500 ml and a 20 ml segment then cost the
// larger one's time, not the sum, and each thread reads the same shared image and labels. Workers stay warm for IDLE_MS
// after a series: a cold one spends about 40 % of a 500 ml segment's time interpreting and compiling the feature code.
import { availableParallelism, loadavg } from 'node:os';
import { RequestWorker } from '../worker-start.js';
import type { FeatureReply, FeatureRequest, SegmentFeatures } from './feature-worker.js';
import { FeatureError } from './types.js';

/** More threads than this gain little (segments are seldom that many) and each costs ~30 MB and its start-up. */
const MAX_WORKERS = 4;
/** Idle workers end after this long without a series (their heaps are then given back). */
const IDLE_MS = 30_000;

type FeatureWorker = RequestWorker<FeatureRequest, FeatureReply>;
const idle: FeatureWorker[] = [];
let idleTimer: NodeJS.Timeout | undefined;

/** Features for every segment of the request, in the request's order; crashes come back as FEAT_WORKER. */
export async function measureSegmentsInWorker(
  request: FeatureRequest, workers = featureWorkersFor(request.segments.length),
): Promise<FeatureReply> {
  const t0 = Date.now();
  const n = Math.max(1, workers);
  // round robin: the caller's order (a manifest's segments) says nothing about size, so no better share is known
  const shares = Array.from({ length: n }, (_, w) => request.segments.map((_, i) => i).filter((i) => i % n === w))
    .filter((share) => share.length > 0);
  const replies = await Promise.all(
    shares.map((share) => askOne({ ...request, segments: share.map((i) => request.segments[i]!) })));
  const failed = replies.find((r) => !r.ok);
  if (failed) return failed;
  const segments: SegmentFeatures[] = [];
  replies.forEach((r, w) => { if (r.ok) r.segments.forEach((s, j) => { segments[shares[w]![j]!] = s; }); });
  return { ok: true, segments, ms: Date.now() - t0 };
}

/** Ends the idle workers now (a benchmark's cold start, a shutdown that should not wait for IDLE_MS). */
export function stopIdleFeatureWorkers(): void {
  clearTimeout(idleTimer);
  for (const w of idle.splice(0)) w.stop();
}

/**
 * One worker per segment, up to the cores that are idle (cores less the 1-minute load average) and MAX_WORKERS.
 * A thread beyond the idle cores only adds its start-up and its own JIT warm-up (~0.2 s CPU measured): on a machine
 * whose load already fills the cores, one worker measures the segments in turn.
 */
export function featureWorkersFor(segments: number): number {
  const idleCores = Math.round(availableParallelism() - loadavg()[0]!);
  return Math.max(1, Math.min(segments, idleCores, MAX_WORKERS));
}

async function askOne(request: FeatureRequest): Promise<FeatureReply> {
  const worker = idle.pop() ?? new RequestWorker<FeatureRequest, FeatureReply>(import.meta.url, 'feature-worker',
    (reason) => new FeatureError('FEAT_WORKER', reason));
  worker.ref();
  try {
    const reply = await worker.ask(request);
    keepWarm(worker);
    return reply;
  } catch (err) { // crashed or unclonable: this worker is not reused
    worker.stop();
    return { ok: false, code: 'FEAT_WORKER', message: (err as Error).message };
  }
}

function keepWarm(worker: FeatureWorker): void {
  if (idle.length >= MAX_WORKERS) { worker.stop(); return; }
  worker.unref();
  idle.push(worker);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(stopIdleFeatureWorkers, IDLE_MS).unref();
}
