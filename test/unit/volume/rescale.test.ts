// Rescale and BitsStored: hand-made images with known stored words (high bits dirty on purpose) and known
// slope/intercept.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleSeriesVolume, loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { tempDir, writeTinyImage, type TinyImage } from './fixtures.js';

const tmp = tempDir('rescale');
afterAll(() => tmp.remove());
let stackCount = 0;

/** Three slices (1 mm apart) of the same 2x2 image. */
function stack(img: Omit<TinyImage, 'z' | 'rows' | 'columns'>): string[] {
  const id = ++stackCount;
  return [0, 1, 2].map((z) => {
    const file = path.join(tmp.dir, `stack${id}-${z}.dcm`);
    writeTinyImage(file, { ...img, rows: 2, columns: 2, z, seriesUid: `2.25.9${id}` });
    return file;
  });
}

describe('stored value → rescaled value', () => {
  it('signed 12-of-16 bits: masks the dirty high bits, sign-extends bit 11, then applies slope 2.5 / intercept −7', async () => {
    // words: −5 (0xFFB), 7, 2047 (largest 12-bit), −2048 (0x800, smallest), each with garbage in bits 12–15
    const files = stack({ bitsAllocated: 16, bitsStored: 12, signed: true, words: [0xaffb, 0x5007, 0xf7ff, 0x3800],
      slope: 2.5, intercept: -7 });
    const { volume } = await loadSeriesVolume(files);
    expect(Array.from(volume.data.subarray(0, 4))).toEqual(
      [-5 * 2.5 - 7, 7 * 2.5 - 7, 2047 * 2.5 - 7, -2048 * 2.5 - 7]);
    expect(Array.from(volume.data.subarray(8, 12))).toEqual(Array.from(volume.data.subarray(0, 4)));
  });

  it('unsigned 12-of-16 bits: masks the high bits (0xF123 → 0x123 = 291), intercept −1024', async () => {
    const files = stack({ bitsAllocated: 16, bitsStored: 12, signed: false, words: [0xf123, 0x0fff, 0x0000, 0x8400],
      slope: 1, intercept: -1024 });
    const { volume } = await assembleSeriesVolume(files);
    expect(Array.from(volume.data.subarray(0, 4))).toEqual([291 - 1024, 4095 - 1024, -1024, 0x400 - 1024]);
  });

  it('signed 16-of-16 bits keeps the full range (−32768 … 32767)', async () => {
    const files = stack({ bitsAllocated: 16, bitsStored: 16, signed: true, words: [0x8000, 0xffff, 0x7fff, 0x0001],
      slope: 1, intercept: 0 });
    const { volume } = await assembleSeriesVolume(files);
    expect(Array.from(volume.data.subarray(0, 4))).toEqual([-32768, -1, 32767, 1]);
  });

  it('signed and unsigned 8-bit, with BitsStored 6 masking', async () => {
    const signed = await assembleSeriesVolume(stack(
      { bitsAllocated: 8, bitsStored: 8, signed: true, words: [0xff, 0x80, 0x7f, 0x01], slope: 0.5, intercept: 10 }));
    expect(Array.from(signed.volume.data.subarray(0, 4))).toEqual(
      [-1 * 0.5 + 10, -128 * 0.5 + 10, 127 * 0.5 + 10, 1 * 0.5 + 10]);
    const unsigned = await assembleSeriesVolume(stack(
      { bitsAllocated: 8, bitsStored: 6, signed: false, words: [0xff, 0x40, 0x3f, 0x02] }));
    expect(Array.from(unsigned.volume.data.subarray(0, 4))).toEqual(
      [63, 0, 63, 2]); // no rescale attributes: slope 1, intercept 0
  });
});
