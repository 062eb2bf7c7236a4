// The bytes of a Part-10 file up to and including the start of its PixelData element: enough for a
// header parser, without reading pixel data. Reads grow (16 KiB, ×4 …) until the PixelData tag
// (little or big endian) is inside them or the file ends, so a long multi-frame header is whole
// and a 1 GB multi-frame file is never read in full. Synchronous: a few small reads (callers on the
// event loop read headers of a handful of files; the volume loader runs in a worker).
import fs from 'node:fs';

const PIXEL_DATA_LE = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);
const PIXEL_DATA_BE = Buffer.from([0x7f, 0xe0, 0x00, 0x10]);

export function readHeaderBytes(file: string, firstRead = 16 * 1024): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    for (let limit = firstRead; ; limit *= 4) {
      const buf = Buffer.alloc(Math.min(size, limit));
      const n = fs.readSync(fd, buf, 0, buf.length, 0);
      const head = buf.subarray(0, n);
      if (n >= size || pixelDataTagAt(head) > 0) return head;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The same prefix of a file already in memory, as a view (no copy): up to just past its PixelData element header. */
export function headerPrefix(bytes: Uint8Array): Uint8Array {
  const at = pixelDataTagAt(bytes);
  return at > 0 ? bytes.subarray(0, Math.min(bytes.length, at + 12)) : bytes;
}

/** Where the PixelData tag first appears after the preamble and DICM (little endian first), or −1. */
function pixelDataTagAt(bytes: Uint8Array): number {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = b.indexOf(PIXEL_DATA_LE, 132);
  return le > 0 ? le : b.indexOf(PIXEL_DATA_BE, 132);
}
