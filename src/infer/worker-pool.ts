// A pool of inference workers for one model: at most maxConcurrent sessions, a queue, per-run timeout, respawn on failure.
//
// The worker file (inference-worker) sits beside this module; see src/worker-start.ts for how it starts.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../worker-start.js';
import { InferenceError } from './errors.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './inference-worker.js';
import type { Image2dSource, ImageOutput } from './image2d/run.js';
import type { ModelManifest } from './manifest.js';
import type { StageTimings } from './pipeline.js';
import type { Volume } from './volume/types.js';

export interface InferLogger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

type Done = Extract<WorkerReply, { type: 'done' }>;
type Request = WorkerRequest extends infer R ? (R extends { runId: number } ? Omit<R, 'runId'> : never) : never;
interface Job { request: Request; timeoutMs: number; resolve: (done: Done) => void; reject: (e: Error) => void }
interface Slot { worker: Worker; busy: boolean }

function startWorkerThread(workerData: WorkerInit): Worker {
  return startSiblingWorker(import.meta.url, 'inference-worker', workerData);
}

export class ModelWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private closed = false;
  private nextRunId = 1;
  /** The execution provider the sessions really use (known once the first worker is ready). */
  provider = '';

  constructor(private readonly modelPath: string, private readonly manifest: ModelManifest, private readonly log: InferLogger) {}

  /** Worker threads alive now (never more than the manifest's maxConcurrent). */
  get workerCount(): number { return this.slots.length + this.pendingSpawns; }

  /** Starts the first worker; rejects with MODEL_LOAD_FAILED if no provider can open the model. */
  async start(): Promise<string> {
    this.slots.push({ worker: await this.spawn(), busy: false });
    return this.provider;
  }

  /** Queues a run; resolves with the worker's stage timings once `labels` is filled. */
  async run(volume: Volume, labels: Uint8Array, timeoutMs = this.manifest.timeoutMs): Promise<StageTimings> {
    return (await this.submit({ type: 'run', volume, labels }, timeoutMs)).timings;
  }

  /** Queues a 2D run (frames of files, or slices of a loaded series); resolves with one output per image. */
  async run2d(source: Image2dSource, timeoutMs = this.manifest.timeoutMs): Promise<{ images: ImageOutput[]; timings: StageTimings }> {
    const done = await this.submit({ type: 'run2d', source }, timeoutMs);
    return { images: done.images ?? [], timings: done.timings };
  }

  private submit(request: Request, timeoutMs: number): Promise<Done> {
    if (this.closed) return Promise.reject(new InferenceError('REGISTRY_CLOSED', 'the inference pool is shut down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ request, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new InferenceError('REGISTRY_CLOSED', 'the inference pool is shut down'));
    await Promise.all(this.slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.slots.find((s) => !s.busy);
      if (!slot) {
        if (this.slots.length + this.pendingSpawns < this.manifest.maxConcurrent) this.grow();
        return;
      }
      this.execute(slot, this.queue.shift()!);
    }
  }

  private pendingSpawns = 0;
  private grow(): void {
    this.pendingSpawns++;
    this.spawn()
      .then((worker) => { if (this.closed) void worker.terminate(); else this.slots.push({ worker, busy: false }); })
      .catch((error: Error) => {
        this.log.error('model.worker.failed', { modelId: this.manifest.id, reason: error.message });
        if (this.slots.length === 0) for (const job of this.queue.splice(0)) job.reject(error);
      })
      .finally(() => { this.pendingSpawns--; this.dispatch(); });
  }

  private execute(slot: Slot, job: Job): void {
    slot.busy = true;
    const runId = this.nextRunId++;
    const finish = (error: Error | null, done?: Done) => {
      clearTimeout(timer);
      slot.worker.off('message', onMessage);
      slot.worker.off('exit', onExit);
      if (error) job.reject(error); else job.resolve(done!);
    };
    const replaceWorker = () => {
      this.forget(slot.worker);
      void slot.worker.terminate();
      this.dispatch();
    };
    const onMessage = (message: WorkerReply) => {
      if (message.type === 'done' && message.runId === runId) { slot.busy = false; finish(null, message); this.dispatch(); }
      if (message.type === 'failed' && message.runId === runId) {
        slot.busy = false;
        // The worker's message already starts with its code; the error gets it once.
        finish(new InferenceError(message.code as 'MODEL_RUN_FAILED', unprefixed(message.code, message.message)));
        this.dispatch();
      }
    };
    const onExit = (exitCode: number) => {
      finish(new InferenceError('WORKER_EXITED', `inference worker exited with code ${exitCode} during the run`));
      replaceWorker();
    };
    const timer = setTimeout(() => {
      this.log.warn('model.run.timeout', { modelId: this.manifest.id, timeoutMs: job.timeoutMs });
      slot.worker.off('exit', onExit);
      finish(new InferenceError('MODEL_TIMEOUT', `model ${this.manifest.id} ran longer than ${job.timeoutMs} ms; its worker was replaced`));
      replaceWorker();
    }, job.timeoutMs);
    slot.worker.on('message', onMessage);
    slot.worker.on('exit', onExit);
    slot.worker.postMessage({ ...job.request, runId });
  }

  /** Starts one worker and waits until its session is open; logs any provider it had to fall back from. */
  private spawn(): Promise<Worker> {
    const init: WorkerInit = { modelPath: this.modelPath, manifest: this.manifest, intraOpNumThreads: this.threadsPerSession() };
    const worker = startWorkerThread(init);
    return new Promise((resolve, reject) => {
      const fail = (message: string) => {
        void worker.terminate();
        reject(new InferenceError('MODEL_LOAD_FAILED', `model ${this.manifest.id}: ${message}`));
      };
      worker.once('error', (error) => fail(error.message));
      worker.once('message', (message: WorkerReply) => {
        if (message.type !== 'ready') return fail(message.type === 'initFailed' ? message.message : 'unexpected worker reply');
        for (const f of message.fallbacks) {
          this.log.warn('model.provider.fallback', { modelId: this.manifest.id, provider: f.provider, reason: f.message });
        }
        this.provider = message.provider;
        worker.on('error', (error) => this.log.error('model.worker.error', { modelId: this.manifest.id, reason: error.message }));
        worker.on('message', (m: WorkerReply) => { if (m.type === 'event') this.log.warn(m.event, { modelId: this.manifest.id, ...m.fields }); });
        worker.once('exit', () => this.forget(worker)); // a worker that dies while idle leaves the pool; dispatch() grows a new one
        resolve(worker);
      });
    });
  }

  private forget(worker: Worker): void {
    const index = this.slots.findIndex((s) => s.worker === worker);
    if (index >= 0) this.slots.splice(index, 1);
  }

  /** Sessions share the cores: each gets cores / maxConcurrent threads unless the manifest says otherwise. */
  private threadsPerSession(): number {
    return this.manifest.intraOpNumThreads ?? Math.max(1, Math.floor(os.availableParallelism() / this.manifest.maxConcurrent));
  }
}

function unprefixed(code: string, message: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}
