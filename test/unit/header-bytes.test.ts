// readHeaderBytes reads a file only up to its PixelData element, growing its reads as needed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHeader } from '../../src/assemble/study-facts.js';
import { headerPrefix, readHeaderBytes } from '../../src/dicom/header-bytes.js';
import { testdata } from '../support/node-process.js';

const ct = path.join(testdata, 'dcmqi-ct3/01.dcm');
const sr = path.join(testdata, 'dcmqi-seg-sr/tid1500-sr.dcm');

describe('readHeaderBytes', () => {
  it('stops after the PixelData tag, even when the first read is far too short', () => {
    const size = fs.statSync(ct).size;
    for (const firstRead of [64, 4096, 256 * 1024]) {
      const head = readHeaderBytes(ct, firstRead);
      expect(head.length).toBeLessThan(size);
      expect(Buffer.from(head).indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]))).toBeGreaterThan(0);
      expect(readHeader(head)).toEqual(readHeader(fs.readFileSync(ct)));
    }
  });

  it('returns the whole file when it has no pixel data', () => {
    expect(readHeaderBytes(sr, 64).length).toBe(fs.statSync(sr).size);
  });

  it('headerPrefix: the same prefix of bytes in memory, a view that parses to the same header', () => {
    const whole = fs.readFileSync(ct);
    const prefix = headerPrefix(whole);
    expect(prefix.buffer).toBe(whole.buffer);
    expect(prefix.length).toBeLessThan(whole.length);
    expect(Buffer.from(prefix.subarray(-12, -8))).toEqual(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    expect(readHeader(prefix)).toEqual(readHeader(whole));
    const noPixels = fs.readFileSync(sr);
    expect(headerPrefix(noPixels).length).toBe(noPixels.length);
  });
});
