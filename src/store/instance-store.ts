// The only writer of instance files and rows. An instance is acknowledged once its bytes are durable
// in the receive journal (one shared fdatasync); its final file and row are made behind that (see
// materialiser.ts). Instances the journal cannot take go the direct way: temp file → fsync → rename
// → row → WAL fsync. Either way a caller acknowledges the sender only after commit() resolved.
import fs from 'node:fs';
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CompletionEvent } from '../assemble/completion.js';
import type { Db } from '../db/database.js';
import { WalSync } from '../db/wal-sync.js';
import type { Logger } from '../log/logger.js';
import { faultPoint } from '../fault-point.js';
import { inspect, inspectSlices, type InspectedHeader, type StoreContext } from './inspect.js';
import { index, logStored, storedOf, type StoredInstance } from './instance-record.js';
import { InstanceWriter, type PressureListener } from './instance-writer.js';
import { ReceiveJournal } from './journal.js';
import { Kind } from './journal-record.js';
import { replayJournal, type CommitMeta } from './journal-replay.js';
import { Materialiser } from './materialiser.js';
import { fileMaker } from './file-maker.js';
import { Placement } from './placement.js';
import { StoreError, asStoreError } from './status.js';

export type { StoreContext } from './inspect.js';
export type { StoredInstance } from './instance-record.js';
export { safeName } from './placement.js';

export type CompletionListener = (events: CompletionEvent[]) => void;

/** Ring size; DICOM_AI_NODE_JOURNAL_MB overrides it for a new ring file (tests use a small one). */
const JOURNAL_BYTES = Number(process.env.DICOM_AI_NODE_JOURNAL_MB ?? 128) * 1048576;

/** A new ring takes at most an eighth of the free space (a small data disk must not be filled by the journal). */
function ringBytes(dataDir: string): number {
  const s = fs.statfsSync(dataDir);
  return Math.max(1048576, Math.min(JOURNAL_BYTES, Math.floor((s.bavail * s.bsize) / 8 / 65536) * 65536));
}
/** Free space kept beyond an instance's two copies (ring and final file) when it is journaled. */
const MARGIN = 8 * 1048576;

export class InstanceStore {
  private readonly tmpDir: string;
  private readonly studiesDir: string;
  private freeBytes = Number.POSITIVE_INFINITY;
  private freeCheckedAt = 0;
  private readonly wal: WalSync;
  private readonly placement: Placement;
  private readonly journal: ReceiveJournal;
  private readonly materialiser: Materialiser;
  private readonly storedListeners: Array<(stored: StoredInstance) => void> = [];

  /** `ownDir`: this node's own folder for its receive journal and temp files (several nodes share `dataDir`). */
  constructor(private readonly db: Db, private readonly dataDir: string, private readonly minFreeBytes: number,
    private readonly log: Logger, private readonly onCompletion: CompletionListener = () => {}, ownDir = dataDir) {
    this.tmpDir = path.join(ownDir, 'tmp');
    this.studiesDir = path.join(dataDir, 'studies');
    // PostgreSQL has no local WAL to sync: a commit is durable when it returns.
    this.wal = new WalSync(db.name ? `${db.name}-wal` : null);
    this.placement = new Placement(this.studiesDir);
    fs.mkdirSync(this.tmpDir, { recursive: true });
    fs.mkdirSync(this.studiesDir, { recursive: true });
    fs.mkdirSync(path.join(ownDir, 'journal'), { recursive: true });
    this.journal = new ReceiveJournal(path.join(ownDir, 'journal', 'receive.ring'), ringBytes(dataDir));
    replayJournal(this.journal, db, this.placement, this.tmpDir, (s, ctx, at) => index(db, s, s.values, ctx, at), log);
    // Other leftovers of a crash were never acknowledged: the sender will send them again.
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
    this.materialiser = new Materialiser(this.journal, dataDir, this.wal, log);
  }

  /** Starts receiving one instance; `prefix` (a Part-10 meta header) is written first. */
  begin(prefix: Buffer | null, onPressure?: PressureListener): InstanceWriter {
    const writer = new InstanceWriter(path.join(this.tmpDir, `${crypto.randomUUID()}.part`), onPressure, this.journal);
    if (this.freeBytes < this.minFreeBytes) {
      writer.discard(new StoreError('STORE_OUT_OF_SPACE',
        `free space ${mb(this.freeBytes)} MB is below the configured floor of ${mb(this.minFreeBytes)} MB`));
    } else if (prefix) writer.write(prefix);
    this.refreshFreeSpace();
    return writer;
  }

  /** Makes the received instance durable; throws a StoreError otherwise (and keeps nothing). */
  async commit(writer: InstanceWriter, ctx: StoreContext): Promise<StoredInstance> {
    const started = Date.now();
    try {
      const journaled = writer.journaled;
      await writer.finish(!journaled);
      const header = journaled ? inspectSlices(writer.contents, ctx) : inspect(writer.tempPath, ctx);
      const receivedAt = Date.now();
      const meta: CommitMeta = { ctx, receivedAt, size: writer.bytesWritten };
      // Room for the final file is checked now: once acknowledged, materialising must not run out of it.
      const roomy = this.freeBytes - this.minFreeBytes > 2 * writer.bytesWritten + MARGIN;
      const commit = journaled && roomy ? this.journal.append(Kind.Commit, writer.txid, writer.bytesWritten,
        [Buffer.from(JSON.stringify(meta))]) : undefined;
      if (!commit) {
        if (journaled) { // the ring filled up just now, or the disk is nearly full
          await writer.toDirect();
          await writer.finish(true);
        }
        return await this.commitDirect(writer, header, ctx, receivedAt, started);
      }
      const flushed = this.journal.durable();
      this.materialiser.kick(); // earlier instances are materialised while this flush runs
      await flushed;
      faultPoint('journal-written');
      const stored = storedOf(this.studiesDir, header, writer.bytesWritten);
      let visible!: () => void;
      stored.visible = new Promise<void>((r) => (visible = r));
      writer.takeHeld(); // the file maker reads the bytes back from the ring (still in the page cache)
      const fragments = writer.fragments;
      let making: Promise<void> | undefined;
      this.materialiser.enqueue({
        txid: commit.txid, visible,
        start: () => {
          if (making) return;
          faultPoint('acknowledged');
          const { file: ring, dataSize } = this.journal;
          making = fileMaker.make({ ring, dataSize, fragments, tempPath: writer.tempPath, finalPath: stored.path });
          making.catch(() => { making = undefined; }); // asked again on the retry
        },
        run: async () => {
          await making;
          faultPoint('materialising');
          this.finishIndex(stored, header, ctx, receivedAt, started);
        },
      });
      return stored;
    } catch (err) {
      await writer.abandon();
      const e = asStoreError(err);
      this.log.warn('store.instance.failed',
        { source: ctx.source, callingAe: ctx.callingAe, code: e.code, status: e.status, reason: e.message });
      throw e;
    }
  }

  /** `listener` runs after each instance becomes visible (file in place, row committed); it must not throw. */
  onInstanceStored(listener: (stored: StoredInstance) => void): void {
    this.storedListeners.push(listener);
  }

  /** Resolves once every instance acknowledged so far is materialised. */
  settled(): Promise<void> {
    return this.materialiser.settled();
  }

  private async commitDirect(writer: InstanceWriter, header: InspectedHeader, ctx: StoreContext, receivedAt: number,
    started: number): Promise<StoredInstance> {
    const stored = storedOf(this.studiesDir, header, writer.bytesWritten);
    stored.path = await this.placement.moveIntoPlace(writer.tempPath, header.studyUid, header.seriesUid,
      header.sopInstanceUid, true);
    const events = index(this.db, stored, header.values, ctx, receivedAt);
    await this.wal.durable();
    logStored(this.log, stored, ctx, started);
    for (const listener of this.storedListeners) listener(stored);
    if (events.length) this.onCompletion(events);
    return stored;
  }

  private finishIndex(stored: StoredInstance, header: InspectedHeader, ctx: StoreContext, receivedAt: number,
    started: number): void {
    const events = index(this.db, stored, header.values, ctx, receivedAt);
    logStored(this.log, stored, ctx, started);
    for (const listener of this.storedListeners) listener(stored);
    if (events.length) this.onCompletion(events);
  }

  private refreshFreeSpace(): void {
    const now = Date.now();
    if (now - this.freeCheckedAt < 1000) return;
    this.freeCheckedAt = now;
    fs.statfs(this.tmpDir, (err, s) => {
      if (!err) this.freeBytes = s.bavail * s.bsize;
    });
  }

  async close(): Promise<void> {
    await this.materialiser.close();
    await this.wal.close();
    this.journal.close();
  }

  /** Free bytes on the storage volume, as last measured. */
  async freeSpace(): Promise<number> {
    const s = await fsp.statfs(this.tmpDir);
    this.freeBytes = s.bavail * s.bsize;
    this.freeCheckedAt = Date.now();
    return this.freeBytes;
  }
}

const mb = (b: number) => Math.round(b / 1048576);
