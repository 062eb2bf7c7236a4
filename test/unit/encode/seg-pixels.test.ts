// Bit packing and colour conversion checked against hand-computed values.
import { describe, expect, it } from 'vitest';
import { listFrames, packFrames, planSegments } from '../../../src/encode/seg-pixels.js';
import { rgbToDicomLab } from '../../../src/encode/colour.js';

describe('packFrames', () => {
  it('packs 5×7 frames (35 bits) continuously across byte boundaries, LSB first, padded to even length', () => {
    const plane = 35;
    const data = new Uint8Array(plane * 2);
    data.fill(1, 0, plane);            // slice 0: all set
    data[plane] = 1;                   // slice 1: first pixel ...
    data[2 * plane - 1] = 1;           // ... and last pixel
    const labels = { dims: [5, 7, 2] as [number, number, number], data };
    const plan = planSegments(labels, [[1]]);
    const frames = listFrames(plan, 2, true);
    const bytes = packFrames(labels, plan, frames);
    // bits 0..34 (frame 1), bit 35 (frame 2 pixel 0), bit 69 (frame 2 pixel 34); 70 bits → 9 bytes → 10
    expect([...bytes]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00, 0x00, 0x20, 0x00]);
  });

  it('omits empty frames unless asked to keep them, and detects overlap only when labels are shared', () => {
    const data = new Uint8Array(4 * 3);   // 2×2, 3 slices; only slice 1 has label 2
    data[4] = 2;
    const labels = { dims: [2, 2, 3] as [number, number, number], data };
    const overlapping = planSegments(labels, [[1, 2], [2], [3]]);
    expect(overlapping.overlap).toBe(true);
    expect(overlapping.segments.map((s) => s.voxelCount)).toEqual([1, 1]);
    expect(overlapping.absentInputIndexes).toEqual([2]);
    expect(listFrames(overlapping, 3, true)).toEqual([{ segmentNumber: 1, slice: 1 }, { segmentNumber: 2, slice: 1 }]);
    expect(listFrames(overlapping, 3, false)).toHaveLength(6);
    // label 1 never occurs, so [1,2] and [1] cannot share a voxel
    expect(planSegments(labels, [[2], [1, 3]]).overlap).toBe(false);
  });
});

describe('planSegments per-slice counts', () => {
  it('equal a voxel-by-voxel count for runs that cross words and slice ends, at every byte offset', () => {
    const [cols, rows, slices] = [7, 5, 6];   // 35 voxels per slice: slice ends fall inside 32-bit words
    const plane = cols * rows;
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let offset = 0; offset < 4; offset++) {
      const backing = new Uint8Array(plane * slices + offset);
      const data = backing.subarray(offset);
      for (let v = 0; v < data.length;) {   // runs of 1..12 voxels of label 0, 1, 2 or 255
        const run = 1 + Math.floor(next() * 12);
        data.fill([0, 1, 2, 255][Math.floor(next() * 4)]!, v, v + run);
        v += run;
      }
      const plan = planSegments({ dims: [cols, rows, slices], data }, [[1], [2, 255]]);
      const naive = (values: number[]) => Array.from({ length: slices }, (_, k) => {
        let n = 0;
        for (let p = 0; p < plane; p++) if (values.includes(data[k * plane + p]!)) n++;
        return n;
      });
      expect([...plan.segments[0]!.perSlice]).toEqual(naive([1]));
      expect([...plan.segments[1]!.perSlice]).toEqual(naive([2, 255]));
    }
  });
});

describe('rgbToDicomLab', () => {
  it('maps white and sRGB red to the published CIELab values, scaled per PS3.3 C.10.7.1.1', () => {
    const white = rgbToDicomLab([255, 255, 255]);                              // L 100, a 0, b 0
    [65535, 32896, 32896].forEach((v, i) => expect(Math.abs(white[i] - v)).toBeLessThanOrEqual(2));
    const [L, a, b] = rgbToDicomLab([255, 0, 0]);                             // Lab (53.24, 80.09, 67.20)
    expect(Math.abs(L - 53.24 * 655.35)).toBeLessThan(100);
    expect(Math.abs(a - (80.09 + 128) * 257)).toBeLessThan(100);
    expect(Math.abs(b - (67.20 + 128) * 257)).toBeLessThan(100);
  });
});
