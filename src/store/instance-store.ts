// The only writer of instance files and rows: temp file → fsync → rename into place → row commit.
// A caller acknowledges the sender only after commit() resolved.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { recordArrival, type CompletionEvent } from '../assemble/completion.js';
import { bumpCounter } from '../db/counters.js';
import { transaction, type Db } from '../db/database.js';
import { upsertInstance } from '../db/instances.js';
import { WalSync } from '../db/wal-sync.js';
import type { Logger } from '../log/logger.js';
import { scanPart10File, UnparseableDataset } from './header-scan.js';
import { InstanceWriter, type PressureListener } from './instance-writer.js';
import { StoreError, asStoreError } from './status.js';

export interface StoreContext {
  source: 'dimse' | 'stow';
  callingAe: string | null;
  calledAe: string | null;
  /** From the C-STORE command: the data set must say the same. */
  expectedSopClassUid?: string;
  expectedSopInstanceUid?: string;
  /** From the STOW-RS URL: the instance must belong to this study. */
  expectedStudyUid?: string;
}

export interface StoredInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  studyUid: string;
  seriesUid: string;
  transferSyntaxUid: string;
  size: number;
  path: string;
  replaced: boolean;
}

export type CompletionListener = (events: CompletionEvent[]) => void;

export class InstanceStore {
  private readonly tmpDir: string;
  private readonly studiesDir: string;
  private readonly knownDirs = new Set<string>();
  private freeBytes = Number.POSITIVE_INFINITY;
  private freeCheckedAt = 0;
  private readonly wal: WalSync;

  constructor(private readonly db: Db, dataDir: string, private readonly minFreeBytes: number, private readonly log: Logger, private readonly onCompletion: CompletionListener = () => {}) {
    this.tmpDir = path.join(dataDir, 'tmp');
    this.studiesDir = path.join(dataDir, 'studies');
    this.wal = new WalSync(`${db.name}-wal`);
    // Leftovers of a crash were never acknowledged: the sender will send them again.
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
    fs.mkdirSync(this.tmpDir, { recursive: true });
    fs.mkdirSync(this.studiesDir, { recursive: true });
  }

  /** Starts receiving one instance; `prefix` (a Part-10 meta header) is written first. */
  begin(prefix: Buffer | null, onPressure?: PressureListener): InstanceWriter {
    const writer = new InstanceWriter(path.join(this.tmpDir, `${crypto.randomUUID()}.part`), onPressure);
    if (this.freeBytes < this.minFreeBytes) {
      writer.discard(new StoreError('STORE_OUT_OF_SPACE', `free space ${mb(this.freeBytes)} MB is below the configured floor of ${mb(this.minFreeBytes)} MB`));
    } else if (prefix) writer.write(prefix);
    this.refreshFreeSpace();
    return writer;
  }

  /** Makes the received instance durable and indexed; throws a StoreError otherwise (and keeps nothing). */
  async commit(writer: InstanceWriter, ctx: StoreContext): Promise<StoredInstance> {
    const started = Date.now();
    try {
      await writer.finish();
      const header = this.inspect(writer.tempPath, ctx);
      const finalPath = await this.moveIntoPlace(writer.tempPath, header.studyUid, header.seriesUid, header.sopInstanceUid);
      const stored: StoredInstance = { ...header, size: writer.bytesWritten, path: finalPath, replaced: false };
      const events = this.index(stored, header.values, ctx);
      await this.wal.durable();
      this.log.info(stored.replaced ? 'store.instance.replaced' : 'store.instance.stored', {
        source: ctx.source, callingAe: ctx.callingAe, studyUid: stored.studyUid, seriesUid: stored.seriesUid,
        sopInstanceUid: stored.sopInstanceUid, transferSyntax: stored.transferSyntaxUid, bytes: stored.size, ms: Date.now() - started,
      });
      if (events.length) this.onCompletion(events);
      return stored;
    } catch (err) {
      await writer.abandon();
      const e = asStoreError(err);
      this.log.warn('store.instance.failed', { source: ctx.source, callingAe: ctx.callingAe, code: e.code, status: e.status, reason: e.message });
      throw e;
    }
  }

  private inspect(file: string, ctx: StoreContext) {
    let h;
    try {
      h = scanPart10File(file);
    } catch (err) {
      if (err instanceof UnparseableDataset) throw new StoreError('STORE_UNPARSEABLE', `data set cannot be parsed: ${err.message}`);
      throw err;
    }
    const v = h.values;
    const sopClassUid = v.SOPClassUID ?? '';
    const sopInstanceUid = v.SOPInstanceUID ?? '';
    if (!sopClassUid || !sopInstanceUid) throw new StoreError('STORE_SOP_MISMATCH', 'data set has no SOPClassUID or SOPInstanceUID');
    const expectedClass = ctx.expectedSopClassUid ?? h.mediaStorageSopClassUid;
    const expectedInstance = ctx.expectedSopInstanceUid ?? h.mediaStorageSopInstanceUid;
    if (expectedClass && expectedClass !== sopClassUid) throw new StoreError('STORE_SOP_MISMATCH', `SOPClassUID ${sopClassUid} differs from the announced ${expectedClass}`);
    if (expectedInstance && expectedInstance !== sopInstanceUid) throw new StoreError('STORE_SOP_MISMATCH', `SOPInstanceUID ${sopInstanceUid} differs from the announced ${expectedInstance}`);
    if (!v.StudyInstanceUID || !v.SeriesInstanceUID) throw new StoreError('STORE_SOP_MISMATCH', 'data set has no StudyInstanceUID or SeriesInstanceUID');
    if (ctx.expectedStudyUid && ctx.expectedStudyUid !== v.StudyInstanceUID) {
      throw new StoreError('STORE_STUDY_MISMATCH', `instance belongs to study ${v.StudyInstanceUID}, not to ${ctx.expectedStudyUid} named in the request`);
    }
    return { sopClassUid, sopInstanceUid, studyUid: v.StudyInstanceUID, seriesUid: v.SeriesInstanceUID, transferSyntaxUid: h.transferSyntaxUid, values: v };
  }

  /** rename() replaces an older copy atomically: readers see the old or the new file, never a part. */
  private async moveIntoPlace(tempPath: string, studyUid: string, seriesUid: string, sopUid: string): Promise<string> {
    const dir = path.join(this.studiesDir, safeName(studyUid), safeName(seriesUid));
    if (!this.knownDirs.has(dir)) {
      await fsp.mkdir(dir, { recursive: true });
      await fsyncDir(path.dirname(dir));
      await fsyncDir(path.dirname(path.dirname(dir)));
      this.knownDirs.add(dir);
    }
    const finalPath = path.join(dir, `${safeName(sopUid)}.dcm`);
    await fsp.rename(tempPath, finalPath);
    await fsyncDir(dir);
    return finalPath;
  }

  private index(stored: StoredInstance, values: Record<string, string>, ctx: StoreContext): CompletionEvent[] {
    return transaction(this.db, () => {
      const receivedAt = Date.now();
      const { replaced } = upsertInstance(this.db, {
        sopInstanceUid: stored.sopInstanceUid, sopClassUid: stored.sopClassUid, studyUid: stored.studyUid, seriesUid: stored.seriesUid,
        patientId: values.PatientID ?? null, transferSyntaxUid: stored.transferSyntaxUid, size: stored.size, path: stored.path,
        callingAe: ctx.callingAe, calledAe: ctx.calledAe, source: ctx.source, receivedAt,
      });
      stored.replaced = replaced;
      bumpCounter(this.db, replaced ? 'instances_replaced' : 'instances_stored');
      return recordArrival(this.db, { studyUid: stored.studyUid, seriesUid: stored.seriesUid, values, source: ctx.source, callingAe: ctx.callingAe, receivedAt });
    });
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
    await this.wal.close();
  }

  /** Free bytes on the storage volume, as last measured. */
  async freeSpace(): Promise<number> {
    const s = await fsp.statfs(this.tmpDir);
    this.freeBytes = s.bavail * s.bsize;
    this.freeCheckedAt = Date.now();
    return this.freeBytes;
  }
}

/** UIDs become path names only when they are pure UID syntax; anything else is hashed. */
export function safeName(uid: string): string {
  return /^[0-9]+(\.[0-9]+)*$/.test(uid) && uid.length <= 64 ? uid : `h${crypto.createHash('sha256').update(uid).digest('hex').slice(0, 40)}`;
}

/**
 * fsync of a directory after a rename makes the new entry durable. Directory handles are kept
 * open (a small LRU) because a study arrives as hundreds of renames into the same series folder.
 */
const dirHandles = new Map<string, Promise<fsp.FileHandle>>();
async function fsyncDir(dir: string): Promise<void> {
  let handle = dirHandles.get(dir);
  if (!handle) {
    handle = fsp.open(dir, 'r');
    dirHandles.set(dir, handle);
    handle.catch(() => dirHandles.delete(dir));
    if (dirHandles.size > 64) {
      const [oldest, old] = dirHandles.entries().next().value!;
      dirHandles.delete(oldest);
      void old.then((h) => h.close()).catch(() => {});
    }
  }
  await (await handle).sync();
}

const mb = (b: number) => Math.round(b / 1048576);
