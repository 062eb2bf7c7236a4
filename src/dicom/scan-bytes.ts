// Where the header scan reads its bytes from: one buffer, a file through a small window, or the
// slices an instance arrived in. All answer the same few positional reads.
import fs from 'node:fs';

export interface Bytes {
  size: number;
  u16le(pos: number): number; u16be(pos: number): number;
  u32le(pos: number): number; u32be(pos: number): number;
  ascii(pos: number, len: number): string;
}

export class BufferBytes implements Bytes {
  constructor(private readonly buf: Buffer) {}
  get size() { return this.buf.length; }
  u16le(p: number) { return this.buf.readUInt16LE(p); }
  u16be(p: number) { return this.buf.readUInt16BE(p); }
  u32le(p: number) { return this.buf.readUInt32LE(p); }
  u32be(p: number) { return this.buf.readUInt32BE(p); }
  ascii(p: number, len: number) { return this.buf.toString('latin1', p, p + len); }
}

/** Reads across slices; a value that straddles two slices is copied, the rest are read in place. */
export class SliceBytes implements Bytes {
  readonly size: number;
  private readonly bufs: Buffer[];
  private readonly starts: number[] = [];
  private last = 0;
  constructor(slices: readonly Uint8Array[]) {
    this.bufs = slices.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength));
    let at = 0;
    for (const b of this.bufs) { this.starts.push(at); at += b.length; }
    this.size = at;
  }
  /** n bytes at p, a view when they lie in one slice. */
  private at(p: number, n: number): Buffer {
    const i = this.indexOf(p);
    const b = this.bufs[i];
    const off = p - this.starts[i];
    if (off + n <= b.length) return b.subarray(off, off + n);
    const out = Buffer.alloc(n);
    let done = 0;
    for (let k = i; done < n && k < this.bufs.length; k++) done += this.bufs[k].copy(out, done, k === i ? off : 0);
    return out;
  }
  private indexOf(p: number): number {
    // Reads go mostly forward: try the last slice used and its successor before a binary search.
    const { starts, bufs } = this;
    for (const i of [this.last, this.last + 1]) {
      if (i < bufs.length && p >= starts[i] && p < starts[i] + bufs[i].length) return (this.last = i);
    }
    let lo = 0;
    let hi = bufs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= p) lo = mid; else hi = mid - 1;
    }
    return (this.last = lo);
  }
  /** Everything from p on, as one buffer (only a deflated data set needs this). */
  from(p: number): Buffer {
    return this.at(p, this.size - p);
  }
  u16le(p: number) { return this.at(p, 2).readUInt16LE(0); }
  u16be(p: number) { return this.at(p, 2).readUInt16BE(0); }
  u32le(p: number) { return this.at(p, 4).readUInt32LE(0); }
  u32be(p: number) { return this.at(p, 4).readUInt32BE(0); }
  ascii(p: number, len: number) { return this.at(p, len).toString('latin1'); }
}

/** Positional reads through a 64 KiB window, so a 2 GB multi-frame file is never loaded whole. */
export class FileBytes implements Bytes {
  private window = Buffer.alloc(64 * 1024);
  private windowStart = -1;
  private windowLen = 0;
  constructor(private readonly fd: number, readonly size: number) {}
  private at(p: number, n: number): Buffer {
    if (n > this.window.length) this.window = Buffer.alloc(n);
    if (this.windowStart < 0 || p < this.windowStart || p + n > this.windowStart + this.windowLen) {
      this.windowLen = fs.readSync(this.fd, this.window, 0, this.window.length, p);
      this.windowStart = p;
    }
    return this.window.subarray(p - this.windowStart, p - this.windowStart + n);
  }
  u16le(p: number) { return this.at(p, 2).readUInt16LE(0); }
  u16be(p: number) { return this.at(p, 2).readUInt16BE(0); }
  u32le(p: number) { return this.at(p, 4).readUInt32LE(0); }
  u32be(p: number) { return this.at(p, 4).readUInt32BE(0); }
  ascii(p: number, len: number) { return this.at(p, len).toString('latin1'); }
}
