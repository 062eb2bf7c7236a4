// Streams one incoming instance into a temporary file with bounded memory: when more than
// HIGH_WATER bytes wait for the disk, the producer is told to pause (and to resume below LOW_WATER).
import fs from 'node:fs/promises';

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1 * 1024 * 1024;

export type PressureListener = (paused: boolean) => void;

export class InstanceWriter {
  private readonly opened: Promise<fs.FileHandle>;
  private chain: Promise<unknown>;
  private pending = 0;
  private paused = false;
  private failure: unknown;
  private discarding = false;
  private queue: Uint8Array[] = [];
  private flushing = false;
  private closed = false;
  bytesWritten = 0;

  constructor(readonly tempPath: string, private readonly onPressure: PressureListener = () => {}) {
    this.opened = fs.open(tempPath, 'wx', 0o640);
    this.chain = this.opened.then(() => undefined, (err) => this.fail(err));
  }

  /** Queues bytes for the file; never throws (a failure is reported by finish()). */
  write(chunk: Uint8Array): void {
    if (this.discarding || this.failure) return;
    this.queue.push(chunk);
    this.pending += chunk.length;
    if (!this.paused && this.pending > HIGH_WATER) this.setPaused(true);
    if (!this.flushing) this.chain = this.chain.then(() => this.flush());
  }

  /** Writes everything queued with one writev per round, so chunks that arrive while the disk is
   *  busy are coalesced into a single system call. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      const fh = await this.opened;
      while (this.queue.length && !this.failure) {
        const batch = this.queue;
        this.queue = [];
        const len = batch.reduce((s, c) => s + c.length, 0);
        try {
          const { bytesWritten } = await fh.writev(batch);
          if (bytesWritten !== len) await this.writeRest(fh, batch, bytesWritten);
          this.bytesWritten += len;
        } catch (err) {
          this.fail(err);
        } finally {
          this.pending -= len;
          if (this.paused && this.pending < LOW_WATER) this.setPaused(false);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private async writeRest(fh: fs.FileHandle, batch: Uint8Array[], done: number): Promise<void> {
    const rest = Buffer.concat(batch).subarray(done);
    let off = 0;
    while (off < rest.length) off += (await fh.write(rest, off, rest.length - off)).bytesWritten;
  }

  /** Keep consuming the sender's bytes but stop writing them (the answer is already decided). */
  discard(reason: unknown): void {
    this.failure ??= reason;
    this.discarding = true;
  }

  /** Waits for all bytes, fsyncs and closes; rejects with the first write error. */
  async finish(): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
    const fh = await this.opened;
    await fh.datasync(); // data and size; timestamps need no flush
    await this.close();
  }

  /** Closes and removes the temporary file; safe to call more than once. */
  async abandon(): Promise<void> {
    this.discarding = true;
    await this.chain.catch(() => {});
    await this.close();
    await fs.rm(this.tempPath, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const fh = await this.opened.catch(() => undefined);
    await fh?.close().catch(() => {});
  }

  private fail(err: unknown): void {
    this.failure ??= err;
  }

  private setPaused(p: boolean): void {
    this.paused = p;
    this.onPressure(p);
  }
}
