// Byte layout of the receive journal: two header slots (the durable tail) and self-checking records.
// A record names its own logical position, so a stale record from an earlier lap of the ring, a
// torn write or never-written space all end a scan the same way: the record does not check.
import fs from 'node:fs';
import zlib from 'node:zlib';

export const HEADER_AREA = 4096;
export const RECORD_HEADER = 40;
const RECORD_MAGIC = 0x4a524543; // "JREC"
const RING_MAGIC = 0x44414a31; // "DAJ1"
const SLOT = 512; // one sector: a slot is written whole or not at all

export const Kind = { Fragment: 1, Commit: 2 } as const;
export type RecordKind = (typeof Kind)[keyof typeof Kind];

/** A record's header; `offset` is the fragment's place in its instance, or the instance size in a commit. */
export interface RecordHead { pos: number; kind: RecordKind; txid: number; offset: number; length: number; crc: number }

/** Builds a record header; its checksum covers the header fields and the payload chunks. */
export function encodeHead(pos: number, kind: RecordKind, txid: number, offset: number, payload: Uint8Array[]): Buffer {
  const length = payload.reduce((s, c) => s + c.length, 0);
  const b = Buffer.alloc(RECORD_HEADER);
  b.writeUInt32LE(RECORD_MAGIC, 0);
  b.writeUInt8(kind, 4);
  b.writeUInt32LE(length, 8);
  b.writeDoubleLE(pos, 16);
  b.writeDoubleLE(txid, 24);
  b.writeDoubleLE(offset, 32);
  let crc = zlib.crc32(b);
  for (const c of payload) crc = zlib.crc32(c, crc);
  b.writeUInt32LE(crc, 12);
  return b;
}

/** Reads a record header found at `pos`; undefined when it is not a record written there. */
export function decodeHead(b: Buffer, pos: number, maxLength: number): RecordHead | undefined {
  if (b.length < RECORD_HEADER || b.readUInt32LE(0) !== RECORD_MAGIC || b.readDoubleLE(16) !== pos) return undefined;
  const kind = b.readUInt8(4);
  const length = b.readUInt32LE(8);
  if ((kind !== Kind.Fragment && kind !== Kind.Commit) || length > maxLength) return undefined;
  return { pos, kind, txid: b.readDoubleLE(24), offset: b.readDoubleLE(32), length, crc: b.readUInt32LE(12) };
}

/** True when the payload read back belongs to the header (same checksum as written). */
export function recordChecks(head: Buffer, payload: Buffer, expected: number): boolean {
  const h = Buffer.from(head);
  h.writeUInt32LE(0, 12);
  return zlib.crc32(payload, zlib.crc32(h)) === expected;
}

export interface RingHeader { generation: number; tail: number; dataSize: number }

/** The slot to write for `generation`, alternating so a torn write leaves the other one intact. */
export function encodeRingHeader(h: RingHeader): { offset: number; bytes: Buffer } {
  const b = Buffer.alloc(SLOT);
  b.writeUInt32LE(RING_MAGIC, 0);
  b.writeDoubleLE(h.generation, 8);
  b.writeDoubleLE(h.tail, 16);
  b.writeDoubleLE(h.dataSize, 24);
  b.writeUInt32LE(zlib.crc32(b.subarray(0, 32)), 32);
  return { offset: (h.generation % 2) * SLOT, bytes: b };
}

/** The newest valid header slot of a ring file's first block, if any. */
export function decodeRingHeader(block: Buffer): RingHeader | undefined {
  let best: RingHeader | undefined;
  for (const at of [0, SLOT]) {
    const b = block.subarray(at, at + SLOT);
    if (b.length < 36 || b.readUInt32LE(0) !== RING_MAGIC || zlib.crc32(b.subarray(0, 32)) !== b.readUInt32LE(32))
      continue;
    const h = { generation: b.readDoubleLE(8), tail: b.readDoubleLE(16), dataSize: b.readDoubleLE(24) };
    if (!best || h.generation > best.generation) best = h;
  }
  return best;
}

/**
 * Reads `length` bytes at logical position `at` of a ring whose data area holds `dataSize` bytes (wrapping round
 * its end). Space past the end of a ring not yet prefilled reads as zeros, like never-written space.
 */
export function readRing(fd: number, dataSize: number, at: number, length: number, out = Buffer.alloc(length),
  into = 0): Buffer {
  let done = 0;
  while (done < length) {
    const phys = (at + done) % dataSize;
    const want = Math.min(length - done, dataSize - phys);
    const n = fs.readSync(fd, out, into + done, want, HEADER_AREA + phys);
    if (n === 0) out.fill(0, into + done, into + done + want);
    done += n || want;
  }
  return out;
}
