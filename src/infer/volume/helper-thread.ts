// The loader's side of a helper thread: one request at a time, its answer or its refusal as a VolumeError.
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../../worker-start.js';
import type { LoaderHands } from './assemble.js';
import type { FileWork } from './fill.js';
import type { HeaderShare } from './headers.js';
import type { HelperReply, HelperRequest } from './helper-worker.js';
import { VolumeError } from './types.js';

export class HelperThread implements LoaderHands {
  private readonly worker: Worker;
  private waiting?: { resolve: (r: HelperReply & { ok: true }) => void; reject: (e: Error) => void };
  private failure?: VolumeError;

  constructor() {
    this.worker = startSiblingWorker(import.meta.url, 'helper-worker', undefined);
    this.worker.on('message', (reply: HelperReply) => {
      const w = this.take();
      if (reply.ok) w?.resolve(reply);
      else w?.reject(new VolumeError(reply.code, reply.reason));
    });
    this.worker.on('error', (err) => this.fail(`loader helper crashed: ${err?.message ?? String(err)}`));
    this.worker.on('exit', (code) => this.fail(`loader helper exited with code ${code}`));
  }

  async headers(files: string[]): Promise<HeaderShare> {
    return (await this.request({ type: 'headers', files })).headers!;
  }

  async fill(data: Float32Array, sliceSize: number, work: FileWork[]): Promise<void> {
    await this.request({ type: 'fill', data, sliceSize, work });
  }

  private request(message: HelperRequest): Promise<HelperReply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(new VolumeError('WORKER_FAILED', 'loader helper is busy (a bug: one request at a time)'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage(message);
    });
  }

  stop(): void {
    this.failure ??= new VolumeError('WORKER_FAILED', 'loader helper stopped');
    void this.worker.terminate();
  }

  private take() {
    const w = this.waiting;
    this.waiting = undefined;
    return w;
  }

  private fail(reason: string): void {
    this.failure ??= new VolumeError('WORKER_FAILED', reason);
    this.take()?.reject(this.failure);
  }
}
