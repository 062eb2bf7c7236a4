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
