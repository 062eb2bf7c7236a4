// The loader's side of a helper thread: a share of a pass at a time, its answer or its refusal as a VolumeError.
import { RequestWorker } from '../../worker-start.js';
import type { LoaderHands } from './assemble.js';
import type { FileWork } from './fill.js';
import type { HeaderShare } from './headers.js';
import type { HelperReply, HelperRequest } from './helper-worker.js';
import { VolumeError } from './types.js';

export class HelperThread implements LoaderHands {
  private readonly thread = new RequestWorker<HelperRequest, HelperReply>(import.meta.url, 'helper-worker',
    (reason) => new VolumeError('WORKER_FAILED', `loader helper: ${reason}`));

  async headers(files: string[]): Promise<HeaderShare> {
    return (await this.request({ type: 'headers', files })).headers!;
  }

  async fill(data: Float32Array, sliceSize: number, work: FileWork[]): Promise<void> {
    await this.request({ type: 'fill', data, sliceSize, work });
  }

  /** Slice k of data gets what slot source[k] held (permute.ts), in the helper. */
  async permute(data: Float32Array, sliceSize: number, source: number[]): Promise<void> {
    await this.request({ type: 'permute', data, sliceSize, source });
  }

  stop(): void {
    this.thread.stop();
  }

  private async request(message: HelperRequest): Promise<HelperReply & { ok: true }> {
    const reply = await this.thread.ask(message);
    if (!reply.ok) throw new VolumeError(reply.code, reply.reason);
    return reply;
  }
}
