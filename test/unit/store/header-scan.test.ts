// The structural scanner's PixelData location, against pydicom's reading of the same files: the loader
// reads native pixels from that location without dcmjs, so it must be exactly the value pydicom sees.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanPart10Bytes, scanPart10File, scanPart10Slices } from '../../../src/dicom/header-scan.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const real = path.resolve(repoRoot, '../shared/testdata/real');
const file = (name: string) => path.join(real, name);

/** sha256 of the PixelData value as pydicom reads it (the Debian package), and its VR. */
function pydicomPixels(f: string): { sha256: string; vr: string } {
  const script = 'import sys,hashlib,pydicom\nds=pydicom.dcmread(sys.argv[1])\ne=ds["PixelData"]\nprint(hashlib.sha256(e.value).hexdigest(), e.VR)';
  const [sha256, vr] = execFileSync('/usr/bin/python3', ['-c', script, f], { encoding: 'utf8' }).trim().split(' ');
  return { sha256: sha256!, vr: vr! };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('header scan: native PixelData location', () => {
  it.each([
    ['pydicom/CT_small.dcm'], // explicit VR little endian
    ['pydicom/MR_small_implicit.dcm'],
    ['pydicom/MR_small_bigendian.dcm'],
    ['dcmqi-ct3/01.dcm'],
  ])('%s: the located bytes are the PixelData pydicom reads', (name) => {
    const bytes = fs.readFileSync(file(name));
    const scanned = scanPart10Bytes(bytes);
    expect(scanned.pixelData).toBeDefined();
    const { valueAt, length, vr } = scanned.pixelData!;
    const expected = pydicomPixels(file(name));
    expect(sha(bytes.subarray(valueAt, valueAt + length))).toBe(expected.sha256);
    expect(vr).toBe(expected.vr.includes('OW') ? 'OW' : expected.vr); // pydicom says "OB or OW" for implicit 8-bit
    expect(scanPart10File(file(name)).pixelData).toEqual(scanned.pixelData); // the file and memory scans agree
  });

  it.each([['pydicom/MR_small_RLE.dcm'], ['pydicom/JPEG2000.dcm'], ['pydicom/image_dfl.dcm']])(
    '%s: encapsulated or deflated pixel data has no native location', (name) => {
      expect(scanPart10Bytes(fs.readFileSync(file(name))).pixelData).toBeUndefined();
    });

  it('refuses pixel data cut short instead of locating bytes past the end', () => {
    const bytes = fs.readFileSync(file('pydicom/CT_small.dcm'));
    expect(() => scanPart10Bytes(bytes.subarray(0, bytes.length - 10))).toThrow(/truncated/);
  });
});

describe('header scan over the slices an instance arrived in', () => {
  const names = ['pydicom/CT_small.dcm', 'pydicom/MR_small_implicit.dcm', 'pydicom/MR_small_bigendian.dcm',
    'pydicom/JPEG2000.dcm', 'pydicom/image_dfl.dcm'];
  const sliced = (b: Buffer, size: number) =>
    Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size));

  it.each(names.flatMap((n) => [1, 7, 4096].map((size) => [n, size] as const)))(
    '%s in %i-byte slices reads as the whole buffer does', (name, size) => {
      const bytes = fs.readFileSync(file(name));
      expect(scanPart10Slices(sliced(bytes, size))).toEqual(scanPart10Bytes(bytes));
    });

  it('refuses a truncated instance the same way', () => {
    const bytes = fs.readFileSync(file('pydicom/CT_small.dcm'));
    expect(() => scanPart10Slices(sliced(bytes.subarray(0, bytes.length - 10), 1000))).toThrow(/truncated/);
  });
});
