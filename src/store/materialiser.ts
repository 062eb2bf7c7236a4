// Behind the acknowledgement: turns journaled instances into their final file and row, in arrival
// order, then releases their ring space once a syncfs (files, directories, WAL) made them durable.
// A job's file is made on the file maker's thread; start() asks for it, the next few jobs' ahead of
// time, and run() waits for it and writes the row. Draining begins when the next instance's journal
// flush begins (kick), or after a short timer when no instance follows.
import type { WalSync } from '../db/wal-sync.js';
import type { Logger } from '../log/logger.js';
import type { ReceiveJournal } from './journal.js';
import { syncFileSystem } from './syncfs.js';

export interface MaterialiseJob {
  txid: number;
  /** Begins the job's work elsewhere (idempotent); run() completes it. */
  start: () => void;
  run: () => Promise<void>;
  visible: () => void;
}

const IDLE_RELEASE_MS = 500;
const RETRY_MS = 1000;
const RELEASE_BATCH = 64;
const CLOSE_WAIT_MS = 10_000;
/** When no flush kicks the queue, it is drained after this long (the sender's gap between instances is ~3 ms). */
const DEFER_MS = 4;
/** Files asked of the file maker ahead of the one being waited for. */
const AHEAD = 8;

export class Materialiser {
  private readonly queue: MaterialiseJob[] = [];
  private running = false;
  private readonly done: number[] = [];
  private releasing: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  private deferTimer: NodeJS.Timeout | undefined;

  constructor(private readonly journal: ReceiveJournal, private readonly dataDir: string, private readonly wal: WalSync,
    private readonly log: Logger) {}

  enqueue(job: MaterialiseJob): void {
    this.queue.push(job);
    if (!this.running && !this.deferTimer) {
      this.deferTimer = setTimeout(() => this.kick(), DEFER_MS);
      this.deferTimer.unref();
    }
  }

  /** Drains the queue after the current turn (so an acknowledgement being sent goes first). */
  kick(): void {
    clearTimeout(this.deferTimer);
    this.deferTimer = undefined;
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    setImmediate(() => void this.drain());
  }

  /** Resolves once everything enqueued so far is materialised (visible to readers). */
  settled(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.kick();
    return done;
  }

  /** Makes every materialised file durable and frees its ring space. */
  release(): Promise<void> {
    if (this.releasing) return this.releasing.then(() => (this.done.length ? this.release() : undefined));
    if (!this.done.length) return Promise.resolve();
    const txids = this.done.splice(0);
    const started = Date.now();
    this.releasing = (async () => {
      try {
        await syncFileSystem(this.dataDir);
        await this.wal.durable();
        for (const t of txids) this.journal.forget(t);
        await this.journal.advanceTail();
        this.log.debug('store.journal.released',
          { instances: txids.length, ms: Date.now() - started, ringBytesUsed: this.journal.used });
      } catch (err) {
        this.done.unshift(...txids); // kept: the next release tries again
        this.log.error('store.journal.release_failed', { reason: (err as Error).message });
      }
    })().finally(() => { this.releasing = undefined; });
    return this.releasing;
  }

  /** At shutdown; what cannot be materialised within CLOSE_WAIT_MS stays in the journal for the next start. */
  async close(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise((r) => { timer = setTimeout(r, CLOSE_WAIT_MS); })]);
    clearTimeout(timer);
    clearTimeout(this.deferTimer);
    clearTimeout(this.idleTimer);
    await this.release();
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const job = this.queue[0];
      for (let i = 0; i < Math.min(AHEAD, this.queue.length); i++) this.queue[i].start();
      try {
        await job.run();
      } catch (err) {
        // The instance is acknowledged and safe in the journal: retry, never drop it.
        this.log.error('store.materialise.failed', { reason: (err as Error).message });
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      this.queue.shift();
      this.done.push(job.txid);
      job.visible();
      // Batched: one syncfs per RELEASE_BATCH instances (or when the ring runs half full, or idle).
      if (this.done.length >= RELEASE_BATCH || this.journal.used > this.journal.dataSize / 2) void this.release();
      // One instance per turn: acknowledgements and socket reads that became ready go in between.
      if (this.queue.length) await new Promise((r) => setImmediate(r));
    }
    this.running = false;
    for (const w of this.waiters.splice(0)) w();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.release(), IDLE_RELEASE_MS);
    this.idleTimer.unref();
  }
}
