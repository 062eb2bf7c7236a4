// Streams one incoming instance into a temporary file with bounded memory: when more than
// HIGH_WATER bytes wait for the disk, the producer is told to pause (and to resume below LOW_WATER).
// With a journal, every batch also goes into the ring (see journal.ts); an instance too big for it,
// or one arriving while the ring is full, falls back to the direct path (this file, fsynced).
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import type { ReceiveJournal } from './journal.js';
import { Kind } from './journal-record.js';

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
  /** The journal transaction holding this instance's bytes; undefined when on the direct path. */
  txid: number | undefined;
  /** CRC-32 of every byte journaled, checked again when an instance is replayed. */
  crc = 0;
  private journaling: boolean;

  constructor(readonly tempPath: string, private readonly onPressure: PressureListener = () => {}, readonly journal?: ReceiveJournal) {
    this.journaling = journal !== undefined;
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
          const journaled = this.journalBatch(batch, len);
          const { bytesWritten } = await fh.writev(batch);
          if (bytesWritten !== len) await this.writeRest(fh, batch, bytesWritten);
          await journaled;
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

  /** Appends the batch to the journal; on no room (or a ring write error) the instance goes direct. */
  private journalBatch(batch: Uint8Array[], len: number): Promise<unknown> | undefined {
    if (!this.journaling || !this.journal) return undefined;
    const r = this.bytesWritten + len <= this.journal.maxInstanceBytes ? this.journal.append(Kind.Fragment, this.txid, this.bytesWritten, batch) : undefined;
    if (!r) return void this.leaveJournal();
    this.txid = r.txid;
    for (const c of batch) this.crc = zlib.crc32(c, this.crc);
    return r.written.catch(() => this.leaveJournal());
  }

  /** True while every byte so far is in the journal (the cheap acknowledgement path applies). */
  get journaled(): boolean {
    return this.journaling && this.txid !== undefined;
  }

  leaveJournal(): void {
    this.journaling = false;
    if (this.txid !== undefined) this.journal?.forget(this.txid);
    this.txid = undefined;
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

  /** Waits for all bytes, fsyncs (unless the journal holds them) and closes; rejects with the first write error. */
  async finish(sync = true): Promise<void> {
    await this.chain;
    if (this.failure) throw this.failure;
    const fh = await this.opened;
    if (sync) await fh.datasync(); // data and size; timestamps need no flush
    await this.close();
  }

  /** Closes and removes the temporary file; safe to call more than once. */
  async abandon(): Promise<void> {
    this.discarding = true;
    await this.chain.catch(() => {});
    this.leaveJournal();
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
