// The crop around one segment of a whole series: its box is the labelled voxels' bounding box plus the context
// margin, found by skipping empty slices and jumping between rows that hold the label; checked against a plain scan.
import { describe, expect, it } from 'vitest';
import { cropAround } from '../../../src/features/crop.js';
import { CONTEXT_MARGIN_MM } from '../../../src/features/resample.js';

const dims = [23, 17, 29] as const, spacing = [3, 2.5, 2] as const; // z, y, x; margins of a few voxels
const n = dims[0] * dims[1] * dims[2];

function labelled(seed: number): Uint8Array {
  const labels = new Uint8Array(n);
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  // a few scattered voxels of labels 1..3, some on the first and last column, empty slices between them
  for (let k = 0; k < 40; k++) {
    const z = Math.floor(next() * dims[0]), y = Math.floor(next() * dims[1]);
    const x = k % 5 === 0 ? 0 : k % 5 === 1 ? dims[2] - 1 : Math.floor(next() * dims[2]);
    if (z % 4 !== 1) labels[x + dims[2] * (y + dims[1] * z)] = 1 + (k % 3);
  }
  return labels;
}

describe('cropAround', () => {
  it.each([1, 2, 3, 4])('finds the bounding box a plain scan finds (seed %i), for one or two label values', (seed) => {
    const labels = labelled(seed);
    const image = Float32Array.from({ length: n }, (_, v) => v);
    for (const wanted of [[1], [2, 3]]) {
      const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
      let count = 0;
      for (let z = 0; z < dims[0]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[2]; x++) {
        if (!wanted.includes(labels[x + dims[2] * (y + dims[1] * z)]!)) continue;
        count++;
        [z, y, x].forEach((c, a) => { lo[a] = Math.min(lo[a]!, c); hi[a] = Math.max(hi[a]!, c); });
      }
      const reach = spacing.map((s) => Math.ceil(CONTEXT_MARGIN_MM / s) + 2);
      const offset = lo.map((l, a) => Math.max(0, l - reach[a]!));
      const end = hi.map((h, a) => Math.min(dims[a]! - 1, h + reach[a]!));
      const roi = cropAround(image, labels, wanted, dims, spacing);
      expect(roi.crop!.offset).toEqual(offset);
      expect(roi.dims).toEqual(end.map((e, a) => e - offset[a]! + 1));
      expect(roi.mask.reduce((a, m) => a + m, 0)).toBe(count);
      // the crop's first voxel is the image voxel at its offset
      expect(roi.image[0]).toBe(offset[2]! + dims[2] * (offset[1]! + dims[1] * offset[0]!));
    }
  });

  it('refuses a label no voxel has with FEAT_EMPTY_ROI', () => {
    expect(() => cropAround(new Float32Array(n), labelled(1), [9], dims, spacing)).toThrow(/no voxel has label 9/);
  });
});
