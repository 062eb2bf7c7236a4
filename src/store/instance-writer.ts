// Streams one incoming instance with bounded memory: when more than HIGH_WATER bytes wait for the
// disk, the producer is told to pause (and to resume below LOW_WATER). With a journal, every batch
// goes into the ring (see journal.ts) and is kept in memory until its header is read; an instance too big
// for that, or one arriving while the ring is full, goes direct: a temporary file, fsynced at the end.
import fs from 'node:fs/promises';
import type { ReceiveJournal } from './journal.js';
import { Kind } from './journal-record.js';

const HIGH_WATER = 4 * 1024 * 1024;
const LOW_WATER = 1 * 1024 * 1024;

export type PressureListener = (paused: boolean) => void;

export class InstanceWriter {
  private opened: Promise<fs.FileHandle> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private paused = false;
  private failure: unknown;
  private discarding = false;
  private queue: Uint8Array[] = [];
  private flushing = false;
  private closed = false;
  bytesWritten = 0;
  /** The journal transaction holding this instance's bytes; undefined on the direct path. */
  txid: number | undefined;
  /** Where the instance's bytes lie in the ring, in order. */
  readonly fragments: Array<{ at: number; length: number }> = [];
  private held: Uint8Array[] = [];
  private journaling: boolean;

  constructor(readonly tempPath: string, private readonly onPressure: PressureListener = () => {},
    readonly journal?: ReceiveJournal) {
    this.journaling = journal !== undefined;
    // While journaling, the temporary file is made only after the acknowledgement, by the file maker.
    if (!this.journaling) this.openTemp();
  }

  /** Queues bytes; never throws (a failure is reported by finish()). */
  write(chunk: Uint8Array): void {
    this.writeAll([chunk]);
  }

  /** Queues consecutive slices (one P-DATA value as it arrived): one journal record for all of them. */
  writeAll(chunks: Uint8Array[]): void {
    if (this.discarding || this.failure) return;
    if (this.journaling && this.journalChunks(chunks)) return;
    for (const chunk of chunks) {
      this.queue.push(chunk);
      this.pending += chunk.length;
    }
    if (!this.paused && this.pending > HIGH_WATER) this.setPaused(true);
    if (!this.flushing) this.chain = this.chain.then(() => this.flush());
  }

  /** Writes everything queued per round (one writev), so chunks that arrive while the disk is busy are coalesced. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length && !this.failure) {
        const batch = this.queue;
        this.queue = [];
        const len = batch.reduce((s, c) => s + c.length, 0);
        try {
          await this.writeTemp(batch);
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

  /** Appends the slices to the journal as one record (see ReceiveJournal.append); false when the instance goes
   *  direct. */
  private journalChunks(chunks: Uint8Array[]): boolean {
    const length = chunks.reduce((s, c) => s + c.length, 0);
    const r = this.bytesWritten + length <= this.journal!.maxInstanceBytes
      ? this.journal!.append(Kind.Fragment, this.txid, this.bytesWritten, chunks) : undefined;
    if (!r) {
      this.switchToDirect();
      return false;
    }
    this.txid = r.txid;
    this.held.push(...chunks);
    this.fragments.push({ at: r.payloadAt, length });
    this.bytesWritten += length;
    return true;
  }

  /** True while every byte so far is in the journal (the cheap acknowledgement path applies). */
  get journaled(): boolean {
    return this.journaling && this.txid !== undefined;
  }

  /** The bytes received, as the slices they arrived in (journaled instances only). */
  get contents(): readonly Uint8Array[] {
    return this.held;
  }

  /** Hands the held bytes over (to the materialiser) and stops holding them. */
  takeHeld(): Uint8Array[] {
    const h = this.held;
    this.held = [];
    return h;
  }

  /** Leaves the journal: what was journaled so far goes to the temporary file first. */
  async toDirect(): Promise<void> {
    this.switchToDirect();
    await this.chain;
    if (this.failure) throw this.failure;
  }

  private switchToDirect(): void {
    if (!this.journaling) return;
    this.journaling = false;
    if (!this.failure) this.openTemp(); // the journaled bytes are re-queued below
    if (this.txid !== undefined) this.journal?.forget(this.txid);
    this.txid = undefined;
    this.fragments.length = 0;
    const held = this.takeHeld();
    this.bytesWritten = 0; // counted again as the temporary file gets them
    for (const c of held) this.write(c);
  }

  private openTemp(): void {
    this.opened = fs.open(this.tempPath, 'wx', 0o640);
    this.opened.catch((err) => this.fail(err));
  }

  private async writeTemp(batch: Uint8Array[]): Promise<void> {
    const fh = await this.opened!;
    const len = batch.reduce((s, c) => s + c.length, 0);
    const { bytesWritten } = await fh.writev(batch);
    if (bytesWritten === len) return;
    const rest = Buffer.concat(batch).subarray(bytesWritten);
    let off = 0;
    while (off < rest.length) off += (await fh.write(rest, off, rest.length - off)).bytesWritten;
  }

  /** Keep consuming the sender's bytes but stop writing them (the answer is already decided). */
  discard(reason: unknown): void {
    this.failure ??= reason;
    this.discarding = true;
  }

  /** Waits for all bytes; on the direct path also fsyncs (when `sync`) and closes. Rejects with the first write
   *  error. */
  async finish(sync = true): Promise<void> {
    if (this.journaling && this.txid === undefined) this.switchToDirect(); // nothing was journaled (an empty part)
    await this.chain;
    if (this.failure) throw this.failure;
    if (this.journaled) return; // the file is written by materialise()
    const fh = await this.opened!;
    if (sync) await fh.datasync(); // data and size; timestamps need no flush
    await this.close();
  }

  /** Drops the instance: journal records become reusable, the temporary file is removed; safe to call twice. */
  async abandon(): Promise<void> {
    this.discarding = true;
    await this.chain.catch(() => {});
    if (this.txid !== undefined) this.journal?.forget(this.txid);
    this.txid = undefined;
    this.held = [];
    await this.close();
    await fs.rm(this.tempPath, { force: true });
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const fh = await this.opened?.catch(() => undefined);
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
