// Reads a stored Part-10 file's meta group and walks every top-level element of its data set
// without decoding values: it proves the structure is whole (no truncation, lengths consistent)
// and picks out the few attributes the index needs. dcmjs is not used here because it refuses
// legal files (meta without group length) and accepts truncated ones.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { BufferBytes, FileBytes, SliceBytes, type Bytes } from './scan-bytes.js';
import { TS } from './uids.js';
import { cleanString, LONG_VRS, UNDEFINED, UnparseableDataset, Walker,
  type PixelDataLocation } from './dataset-walker.js';

export interface ScannedHeader {
  transferSyntaxUid: string;
  mediaStorageSopClassUid: string;
  mediaStorageSopInstanceUid: string;
  /** Byte offset where the data set (after the meta group) begins. */
  datasetOffset: number;
  values: Record<string, string>;
  /** top-level native PixelData; absent when there is none, when it is encapsulated, or in a deflated file */
  pixelData?: PixelDataLocation;
}

/** Scans a file through a small read window: a 2 GB multi-frame file is never loaded whole. */
export function scanPart10File(file: string): ScannedHeader {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    return scan(new FileBytes(fd, size), (from) => {
      const raw = Buffer.alloc(size - from);
      fs.readSync(fd, raw, 0, raw.length, from);
      return raw;
    });
  } finally {
    fs.closeSync(fd);
  }
}

/** The same scan over a file already in memory (the volume loader reads each file once). */
export function scanPart10Bytes(bytes: Buffer): ScannedHeader {
  return scan(new BufferBytes(bytes), (from) => bytes.subarray(from));
}

/** The same scan over an instance held as the slices it arrived in (no copy into one buffer). */
export function scanPart10Slices(slices: readonly Uint8Array[]): ScannedHeader {
  const bytes = new SliceBytes(slices);
  return scan(bytes, (from) => bytes.from(from));
}

function scan(src: Bytes, rest: (from: number) => Buffer): ScannedHeader {
  if (src.size < 132 || src.ascii(128, 4) !== 'DICM') throw new UnparseableDataset(
    'not a DICOM Part 10 file (no DICM prefix)');
  const meta = readMeta(src);
  const ts = meta.values['00020010'];
  if (!ts) throw new UnparseableDataset('meta header has no TransferSyntaxUID');
  const deflated = ts === TS.deflatedExplicitLittle;
  const body = deflated ? new BufferBytes(inflate(rest(meta.end))) : src;
  const values: Record<string, string> = {};
  const walker = new Walker(body, ts !== TS.implicitLittle, ts === TS.explicitBig);
  const pixelData = walker.walkTopLevel(deflated ? 0 : meta.end, values);
  return {
    transferSyntaxUid: ts,
    mediaStorageSopClassUid: meta.values['00020002'] ?? '',
    mediaStorageSopInstanceUid: meta.values['00020003'] ?? '',
    datasetOffset: meta.end,
    values,
    ...(pixelData && !deflated ? { pixelData } : {}),
  };
}

function readMeta(src: Bytes): { end: number; values: Record<string, string> } {
  const values: Record<string, string> = {};
  let pos = 132;
  while (pos + 8 <= src.size && src.u16le(pos) === 0x0002) {
    const element = src.u16le(pos + 2);
    const vr = src.ascii(pos + 4, 2);
    let len: number;
    if (LONG_VRS.has(vr)) { len = src.u32le(pos + 8); pos += 12; } else if (/^[A-Z]{2}$/.test(vr)) {
      len = src.u16le(pos + 6); pos += 8;
    } else {
      throw new UnparseableDataset('meta header is not explicit VR little endian');
    }
    if (len === UNDEFINED || pos + len > src.size) throw new UnparseableDataset(
      'meta header element overruns the file');
    const key = '0002' + element.toString(16).padStart(4, '0');
    if (vr === 'UI' || vr === 'AE' || vr === 'SH') values[key] = cleanString(src.ascii(pos, len));
    pos += len;
  }
  return { end: pos, values };
}

function inflate(raw: Buffer): Buffer {
  try {
    return zlib.inflateRawSync(raw);
  } catch (err) {
    throw new UnparseableDataset(`deflated data set does not inflate: ${(err as Error).message}`);
  }
}
