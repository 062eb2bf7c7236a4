// One worker of a ModelWorkerPool: its start-up handshake, its share of the cores, and how close() ends it.
//
// The worker file (inference-worker) sits beside this module; see src/worker-start.ts for how it starts.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../worker-start.js';
import { InferenceError } from './errors.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './inference-worker.js';
import type { ModelManifest } from './manifest.js';

export interface InferLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export type Done = Extract<WorkerReply, { type: 'done' }>;
export type Request = WorkerRequest extends infer R ? (R extends { runId: number } ? Omit<R, 'runId'> : never) : never;
/** `idle` settles when the run in progress (if any) has answered or the worker has exited. */
export interface Slot { worker: Worker; cancel: Int32Array; busy: boolean; idle: Promise<void>; timedOutAt: number }

/** How long close() waits for a run to reach a point where its worker can be terminated. */
const CLOSE_WAIT_MS = 30_000;

/**
 * Starts one worker and waits until its session is open; `ready` gets its provider and the fallbacks it made,
 * `exited` the worker once it dies while idle.
 */
export function spawnSlot(session: Omit<WorkerInit, 'cancel'>, log: InferLogger,
  ready: (message: Extract<WorkerReply, { type: 'ready' }>) => void, exited: (worker: Worker) => void): Promise<Slot> {
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const init: WorkerInit = { ...session, cancel };
  const worker = startSiblingWorker(import.meta.url, 'inference-worker', init);
  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      void worker.terminate();
      reject(new InferenceError('MODEL_LOAD_FAILED', `model ${init.manifest.id}: ${message}`));
    };
    worker.once('error', (error) => fail(error.message));
    worker.once('message', (message: WorkerReply) => {
      if (message.type !== 'ready') return fail(
        message.type === 'initFailed' ? message.message : 'unexpected worker reply');
      ready(message);
      worker.on('error', (error) =>
        log.error('model.worker.error', { modelId: init.manifest.id, reason: error.message }));
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'event') log.warn(m.event, { modelId: init.manifest.id, ...m.fields });
      });
      // a worker that dies while idle leaves the pool; dispatch() grows a new one
      worker.once('exit', () => exited(worker));
      resolve({ worker, cancel, busy: false, idle: Promise.resolve(), timedOutAt: 0 });
    });
  });
}

/** Asks a worker to stop at its next patch and ends it once it is idle (close() of the pool). */
export async function stopSlot(slot: Slot, log: InferLogger, modelId: string): Promise<void> {
  Atomics.store(slot.cancel, 0, 1);
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); });
  await Promise.race([slot.idle, waited]);
  clearTimeout(timer);
  if (!slot.busy) return void (await slot.worker.terminate());
  // Still inside a native run: terminating would abort the process; let the process exit without it.
  log.error('model.worker.stuck', { modelId, waitedMs: CLOSE_WAIT_MS });
  slot.worker.unref();
}

/** Sessions share the cores: each gets cores / maxConcurrent threads unless the manifest says otherwise. */
export function threadsPerSession(manifest: ModelManifest): number {
  return manifest.intraOpNumThreads ?? Math.max(1,
    Math.floor(os.availableParallelism() / manifest.maxConcurrent));
}

/** A failed run's message without the code it starts with (the error carries the code once). */
export function unprefixed(code: string, message: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}
