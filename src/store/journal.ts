// The receive journal: one reused ring file per node into which every instance's bytes are written
// as they arrive. An instance is acknowledged after its commit record and one fdatasync of the ring
// (shared by every instance ready at that moment); the final file is made behind it, and ring space
// is reused only after the files it holds are durable and the new tail is on disk.
import fs from 'node:fs';
import { promisify } from 'node:util';
import {
  HEADER_AREA, RECORD_HEADER, Kind, decodeHead, decodeRingHeader, encodeHead, encodeRingHeader, readRing, recordChecks,
  type RecordHead,
} from './journal-record.js';

const writeAt = (fd: number, b: Uint8Array, off: number, len: number, pos: number) =>
  new Promise<number>((resolve, reject) =>
    fs.write(fd, b, off, len, pos, (err, n) => (err ? reject(err) : resolve(n))));
const datasync = promisify(fs.fdatasync);

/** Journaled instances are held in memory until materialised; bigger ones go direct. */
const MAX_INSTANCE = 16 * 1048576;
const ZEROS = Buffer.alloc(1048576);
const PREFILL_EVERY_MS = 5;

export interface ScannedRecord extends RecordHead { payloadAt: number }

export class ReceiveJournal {
  readonly dataSize: number;
  /** Largest instance that goes through the ring; bigger ones take the direct durable path. */
  readonly maxInstanceBytes: number;
  private readonly fd: number;
  private head: number;
  private durableTail: number;
  private generation: number;
  /** Transactions (by txid = position of their first record) whose records must be kept. */
  private readonly live = new Set<number>();
  private syncing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private broken: unknown;
  private prefill: NodeJS.Timeout;
  /** Records found between the durable tail and the end of the log when the journal was opened. */
  readonly found: ScannedRecord[];

  constructor(readonly file: string, size: number) {
    this.fd = fs.openSync(file, fs.existsSync(file) ? 'r+' : 'w+', 0o640);
    const block = Buffer.alloc(HEADER_AREA);
    fs.readSync(this.fd, block, 0, HEADER_AREA, 0);
    const h = decodeRingHeader(block);
    // The ring keeps the size it was made with; a new size applies to a new ring file only.
    this.dataSize = h?.dataSize ?? size - HEADER_AREA;
    this.maxInstanceBytes = Math.min(MAX_INSTANCE, Math.floor(this.dataSize / 4));
    this.generation = h?.generation ?? 0;
    this.durableTail = h?.tail ?? 0;
    this.found = this.scan(this.durableTail);
    const last = this.found.at(-1);
    this.head = last ? last.payloadAt + last.length : this.durableTail;
    if (!h) this.writeHeaderSync(this.head);
    this.prefill = setInterval(() => this.prefillStep(), PREFILL_EVERY_MS);
    this.prefill.unref();
  }

  /**
   * A new ring is filled with zeros in the background, a little at a time: overwriting allocated
   * blocks needs no file-system journal commit, so its fdatasync costs about half an append's.
   * Only space past the end of the file is filled, where no record can be.
   */
  private prefillStep(): void {
    const end = fs.fstatSync(this.fd).size;
    const total = HEADER_AREA + this.dataSize;
    if (end >= total) {
      clearInterval(this.prefill);
      void this.sync().catch(() => {});
      return;
    }
    try {
      fs.writeSync(this.fd, ZEROS, 0, Math.min(ZEROS.length, total - end), end);
    } catch {
      clearInterval(this.prefill); // disk full: records still append past the filled part, or go direct
    }
  }

  /**
   * Writes one record, synchronously: it only reaches the page cache (the fdatasync in durable() is
   * what waits for the disk), and a thread-pool round trip per P-DATA costs more than the copy.
   * Undefined when the ring has no room or cannot be written: the caller goes direct.
   */
  append(kind: typeof Kind.Fragment | typeof Kind.Commit, txid: number | undefined, offset: number,
    payload: Uint8Array[]): { txid: number; payloadAt: number } | undefined {
    const length = payload.reduce((s, c) => s + c.length, 0);
    const pos = this.head;
    if (this.broken || pos + RECORD_HEADER + length - this.durableTail > this.dataSize) return undefined;
    try {
      this.writeRecord(pos, [encodeHead(pos, kind, txid ?? pos, offset, payload), ...payload]);
    } catch (err) {
      this.broken = err; // a hole in the log: nothing after it could be replayed, so stop using it
      return undefined;
    }
    this.head += RECORD_HEADER + length;
    this.live.add(txid ?? pos);
    return { txid: txid ?? pos, payloadAt: pos + RECORD_HEADER };
  }

  /** Resolves once every record appended before the call is on disk. */
  durable(): Promise<void> {
    return this.sync();
  }

  /** The transaction's records may be overwritten (it was abandoned, or its files are durable). */
  forget(txid: number): void {
    this.live.delete(txid);
  }

  /** Bytes the ring holds that cannot be reused yet. */
  get used(): number {
    return this.head - this.durableTail;
  }

  /** Persists the new tail (the oldest transaction still kept); space behind it is then reused. */
  async advanceTail(): Promise<void> {
    const tail = this.live.size ? this.live.values().next().value! : this.head;
    if (tail <= this.durableTail) return;
    const { offset, bytes } = encodeRingHeader({ generation: ++this.generation, tail, dataSize: this.dataSize });
    await writeAt(this.fd, bytes, 0, bytes.length, offset);
    await this.sync();
    this.durableTail = Math.max(this.durableTail, tail);
  }

  /** Reads a record's payload (or part of it) back from the ring. */
  read(at: number, length: number): Buffer {
    return readRing(this.fd, this.dataSize, at, length);
  }

  /** After replay: everything found is materialised and durable, so the ring starts empty. */
  resetAfterReplay(): void {
    this.live.clear();
    this.writeHeaderSync(this.head);
  }

  close(): void {
    clearInterval(this.prefill);
    fs.closeSync(this.fd);
  }

  private scan(from: number): ScannedRecord[] {
    const out: ScannedRecord[] = [];
    let pos = from;
    while (pos + RECORD_HEADER - from <= this.dataSize) {
      const headBytes = this.read(pos, RECORD_HEADER);
      const head = decodeHead(headBytes, pos, this.dataSize - (pos - from) - RECORD_HEADER);
      if (!head) break;
      const payloadAt = pos + RECORD_HEADER;
      if (!recordChecks(headBytes, this.read(payloadAt, head.length), head.crc)) break;
      out.push({ ...head, payloadAt });
      pos = payloadAt + head.length;
    }
    return out;
  }

  private writeRecord(pos: number, chunks: Uint8Array[]): void {
    const length = chunks.reduce((s, c) => s + c.length, 0);
    const phys = pos % this.dataSize;
    let done = phys + length <= this.dataSize ? fs.writevSync(this.fd, chunks, HEADER_AREA + phys) : 0;
    if (done === length) return;
    const all = Buffer.concat(chunks); // a short write, or a record that wraps round the end of the ring
    while (done < all.length) {
      const at = (pos + done) % this.dataSize;
      done += fs.writeSync(this.fd, all, done, Math.min(all.length - done, this.dataSize - at), HEADER_AREA + at);
    }
  }

  /** Group commit: a call during a running fdatasync shares the next one. */
  private sync(): Promise<void> {
    if (!this.syncing) return (this.syncing = datasync(this.fd).finally(() => { this.syncing = undefined; }));
    this.queued ??= this.syncing.catch(() => {}).then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private writeHeaderSync(tail: number): void {
    const { offset, bytes } = encodeRingHeader({ generation: ++this.generation, tail, dataSize: this.dataSize });
    fs.writeSync(this.fd, bytes, 0, bytes.length, offset);
    fs.fdatasyncSync(this.fd);
    this.durableTail = tail;
  }
}
