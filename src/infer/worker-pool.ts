// A pool of inference workers for one model: at most maxConcurrent sessions, a queue, per-run timeout, respawn on
// failure.
//
// A worker is never terminated while it may be inside onnxruntime's native run: node-addon-api then throws a C++
// Napi::Error that nothing catches, and std::terminate aborts the whole node process. A run that outlives its timeout
// fails at once, its worker is asked to stop at the next patch (a shared flag) and is terminated once it is idle.
import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { InferenceError } from './errors.js';
import { probeSession } from './session-probe.js';
import type { WorkerReply } from './inference-worker.js';
import type { Image2dSource, ImageOutput } from './image2d/run.js';
import type { ModelManifest } from './manifest.js';
import type { StageTimings } from './pipeline.js';
import type { Volume } from './volume/types.js';
import { spawnSlot, stopSlot, threadsPerSession, unprefixed, type Done, type InferLogger, type Request,
  type Slot } from './worker-slot.js';

interface Job { request: Request; timeoutMs: number; resolve: (done: Done) => void; reject: (e: Error) => void }

export class ModelWorkerPool {
  private readonly slots: Slot[] = [];
  /** Workers whose run timed out: still inside it, terminated when it ends. At most maxConcurrent of them. */
  private readonly draining = new Set<Slot>();
  private readonly queue: Job[] = [];
  private closed = false;
  private nextRunId = 1;
  private pendingSpawns = 0;
  /** The execution provider the sessions really use (known once start() has probed the model). */
  provider = '';

  constructor(private readonly modelPath: string, private readonly manifest: ModelManifest,
    private readonly log: InferLogger) {}

  /** Worker threads serving runs now (never more than the manifest's maxConcurrent). */
  get workerCount(): number { return this.slots.length + this.pendingSpawns; }
  /** Workers still finishing a run that timed out. */
  get drainingCount(): number { return this.draining.size; }

  /**
   * Checks that onnxruntime opens the model (in a child process, see session-probe.ts) and learns its provider;
   * rejects with MODEL_LOAD_FAILED. No worker starts until the first run needs one.
   */
  async start(): Promise<string> {
    const { provider, fallbacks } = await probeSession(
      { modelPath: this.modelPath, manifest: this.manifest, intraOpNumThreads: threadsPerSession(this.manifest) });
    this.logFallbacks(fallbacks);
    this.provider = provider;
    return provider;
  }

  /** Starts a worker now if none is up, so its start-up overlaps what the caller does before run() (a series load). */
  warm(): void {
    if (!this.closed && this.slots.length + this.pendingSpawns === 0
      && this.draining.size <= this.manifest.maxConcurrent) this.grow();
  }

  /** Queues a run; resolves with the worker's stage timings once `labels` is filled. */
  async run(volume: Volume, labels: Uint8Array, timeoutMs = this.manifest.timeoutMs): Promise<StageTimings> {
    return (await this.submit({ type: 'run', volume, labels }, timeoutMs)).timings;
  }

  /** Queues a 2D run (frames of files, or slices of a loaded series); resolves with one output per image. */
  async run2d(source: Image2dSource,
    timeoutMs = this.manifest.timeoutMs): Promise<{ images: ImageOutput[]; timings: StageTimings }> {
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

  /** Refuses new runs, stops the ones in progress at their next patch, and ends every worker once it is idle. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new InferenceError('REGISTRY_CLOSED',
      'the inference pool is shut down'));
    const all = [...this.slots.splice(0), ...this.draining];
    this.draining.clear();
    await Promise.all(all.map((slot) => stopSlot(slot, this.log, this.manifest.id)));
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.slots.find((s) => !s.busy);
      if (!slot) {
        const room = this.slots.length + this.pendingSpawns < this.manifest.maxConcurrent;
        if (room && this.draining.size <= this.manifest.maxConcurrent) this.grow();
        return;
      }
      this.execute(slot, this.queue.shift()!);
    }
  }

  private grow(): void {
    this.pendingSpawns++;
    this.spawn()
      .then((slot) => { if (this.closed) void slot.worker.terminate(); else this.slots.push(slot); })
      .catch((error: Error) => {
        this.log.error('model.worker.failed', { modelId: this.manifest.id, reason: error.message });
        if (this.slots.length === 0) for (const job of this.queue.splice(0)) job.reject(error);
      })
      .finally(() => { this.pendingSpawns--; this.dispatch(); });
  }

  private execute(slot: Slot, job: Job): void {
    slot.busy = true;
    Atomics.store(slot.cancel, 0, 0);
    const runId = this.nextRunId++;
    let settleIdle = () => {};
    slot.idle = new Promise((resolve) => { settleIdle = resolve; });
    let timedOut = false;
    const finish = (error: Error | null, done?: Done) => {
      clearTimeout(timer);
      slot.busy = false;
      slot.worker.off('message', onMessage);
      slot.worker.off('exit', onExit);
      settleIdle();
      if (timedOut) return this.retire(slot); // the caller already has its MODEL_TIMEOUT
      if (error) job.reject(error); else job.resolve(done!);
      this.dispatch();
    };
    const onMessage = (message: WorkerReply) => {
      if (message.type === 'done' && message.runId === runId) finish(null, message);
      // The worker's message already starts with its code; the error gets it once.
      if (message.type === 'failed' && message.runId === runId) {
        finish(new InferenceError(message.code as 'MODEL_RUN_FAILED', unprefixed(message.code, message.message)));
      }
    };
    const onExit = (exitCode: number) => {
      finish(new InferenceError('WORKER_EXITED', `inference worker exited with code ${exitCode} during the run`));
      this.draining.delete(slot);
      this.forget(slot.worker);
      this.dispatch();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      slot.timedOutAt = performance.now();
      this.log.warn('model.run.timeout', { modelId: this.manifest.id, timeoutMs: job.timeoutMs });
      Atomics.store(slot.cancel, 0, 1);
      this.forget(slot.worker);
      this.draining.add(slot);
      job.reject(new InferenceError('MODEL_TIMEOUT',
        `model ${this.manifest.id} ran longer than ${job.timeoutMs} ms; its worker was replaced`));
      this.dispatch();
    }, job.timeoutMs);
    slot.worker.on('message', onMessage);
    slot.worker.on('exit', onExit);
    slot.worker.postMessage({ ...job.request, runId });
  }

  /** Ends a worker whose timed-out run has now answered: it is idle, so terminate() is safe. */
  private retire(slot: Slot): void {
    if (!this.draining.delete(slot)) return; // close() has taken it over
    this.log.info('model.worker.retired',
      { modelId: this.manifest.id, overranMs: Math.round(performance.now() - slot.timedOutAt) });
    void slot.worker.terminate();
    this.dispatch();
  }

  /** Starts one worker and waits until its session is open; logs any provider it had to fall back from. */
  private spawn(): Promise<Slot> {
    const session =
      { modelPath: this.modelPath, manifest: this.manifest, intraOpNumThreads: threadsPerSession(this.manifest) };
    return spawnSlot(session, this.log, (ready) => {
      this.logFallbacks(ready.fallbacks);
      this.provider = ready.provider;
    }, (worker) => this.forget(worker));
  }

  /** Each provider given up is logged once per pool, by the start-up probe or by the first worker. */
  private readonly loggedFallbacks = new Set<string>();
  private logFallbacks(fallbacks: Array<{ provider: string; message: string }>): void {
    for (const f of fallbacks) {
      if (this.loggedFallbacks.has(f.provider)) continue;
      this.loggedFallbacks.add(f.provider);
      this.log.warn('model.provider.fallback', { modelId: this.manifest.id, provider: f.provider, reason: f.message });
    }
  }

  private forget(worker: Worker): void {
    const index = this.slots.findIndex((s) => s.worker === worker);
    if (index >= 0) this.slots.splice(index, 1);
  }
}
