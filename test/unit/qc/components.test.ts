// 3D connected components (26-connectivity) on label maps of known shapes, and against a flood-fill reference.
import { describe, expect, it } from 'vitest';
import { componentSizes } from '../../../src/qc/components.js';
import { floodFillSizes, inBox, inSphere, labelMap, type Dims } from './shapes.js';

const member = (...values: number[]) => { const m = new Uint8Array(256); for (const v of values) m[v] = 1; return m; };

/** Voxel count of a predicate over a volume, counted here (the expected sizes do not come from the code under test). */
function count(dims: Dims, inside: (s: number, r: number, c: number) => boolean): number {
  let n = 0;
  for (let s = 0; s < dims[0]; s++) for (let r = 0; r < dims[1]; r++)
    for (let c = 0; c < dims[2]; c++) if (inside(s, r, c)) n++;
  return n;
}

describe('componentSizes', () => {
  it('finds two spheres as two components of their voxel counts', () => {
    const dims: Dims = [20, 24, 40];
    const left = (s: number, r: number, c: number) => inSphere(s, r, c, [10, 12, 10], 6);
    const right = (s: number, r: number, c: number) => inSphere(s, r, c, [10, 12, 29], 5);
    const labels = labelMap(dims, (s, r, c) => (left(s, r, c) || right(s, r, c) ? 2 : 0));
    expect(componentSizes(labels, dims, member(2))).toEqual([count(dims, left), count(dims, right)]);
  });

  it('gives an empty segment no component, and a full volume one', () => {
    const dims: Dims = [3, 4, 8];
    expect(componentSizes(labelMap(dims, () => 0), dims, member(1))).toEqual([]);
    expect(componentSizes(labelMap(dims, () => 1), dims, member(1))).toEqual([96]);
  });

  it('joins cubes touching only at a corner, across slices (26-connectivity)', () => {
    const dims: Dims = [6, 6, 8];
    const labels = labelMap(dims, (s, r, c) =>
      (inBox(s, r, c, [0, 0, 0], [2, 2, 2]) || inBox(s, r, c, [3, 3, 3], [5, 5, 5]) ? 1 : 0));
    expect(componentSizes(labels, dims, member(1))).toEqual([54]);
  });

  it('joins runs touching only at an in-plane corner, and keeps a one-voxel gap apart', () => {
    const dims: Dims = [1, 2, 8];
    // row 0: columns 0-2; row 1: columns 3-4 (corner contact between (0,2) and (1,3)); column 6 alone in row 1
    const labels = labelMap(dims, (_s, r, c) =>
      ((r === 0 && c <= 2) || (r === 1 && (c === 3 || c === 4 || c === 6)) ? 1 : 0));
    expect(componentSizes(labels, dims, member(1))).toEqual([5, 1]);
  });

  it('keeps slices apart that an empty slice separates', () => {
    const dims: Dims = [5, 4, 4];
    const labels = labelMap(dims, (s) => (s % 2 === 0 ? 1 : 0));
    expect(componentSizes(labels, dims, member(1))).toEqual([16, 16, 16]);
  });

  it('merges two pillars joined only in the last slice, and the two arms of a U joined in the last row', () => {
    const pillarDims: Dims = [10, 3, 12];
    const pillars = labelMap(pillarDims, (s, _r, c) => (c === 1 || c === 10 || s === 9 ? 1 : 0));
    expect(componentSizes(pillars, pillarDims, member(1))).toEqual([9 * 3 * 2 + 36]);
    const uDims: Dims = [1, 6, 7];
    const u = labelMap(uDims, (_s, r, c) => (c === 0 || c === 6 || r === 5 ? 1 : 0));
    expect(componentSizes(u, uDims, member(1))).toEqual([6 + 6 + 5]);
  });

  it('connects a 3D checkerboard through its corners: one component, many short runs', () => {
    const dims: Dims = [30, 40, 40]; // 24 000 runs of one voxel: more than the run table's first allocation
    const labels = labelMap(dims, (s, r, c) => ((s + r + c) % 2 === 0 ? 1 : 0));
    expect(componentSizes(labels, dims, member(1))).toEqual([24_000]);
  });

  it('counts only the label values of the segment', () => {
    const dims: Dims = [1, 1, 9];
    const labels = Uint8Array.from([1, 1, 2, 3, 3, 0, 3, 2, 1]);
    expect(componentSizes(labels, dims, member(1, 3))).toEqual([2, 2, 1, 1]);
    expect(componentSizes(labels, dims, member(1, 2, 3))).toEqual([5, 3]);
  });

  it.each([
    ['columns a multiple of 4 (word scan)', [9, 13, 16], 0],
    ['columns not a multiple of 4 (byte scan)', [9, 13, 17], 0],
    ['a label map that starts off a word boundary', [9, 13, 16], 1],
  ] as const)('agrees with a flood fill on random blobs: %s', (_name, dims, offset) => {
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const values = labelMap([...dims], () => (random() < 0.25 ? 1 + Math.floor(random() * 3) : 0));
    const buffer = new Uint8Array(values.length + offset);
    buffer.set(values, offset);
    const labels = buffer.subarray(offset);
    const sizes = componentSizes(labels, dims, member(1, 2));
    expect(sizes).toEqual(floodFillSizes(values, [...dims], (v) => v === 1 || v === 2));
    expect(sizes.length).toBeGreaterThan(10);
  });
});
