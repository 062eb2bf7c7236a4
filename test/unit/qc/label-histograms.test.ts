// Label-value histograms: whole-map counts (word-at-a-time, any alignment) and the in-plane border ring.
import { describe, expect, it } from 'vitest';
import { labelHistograms } from '../../../src/qc/label-histograms.js';
import { labelMap, type Dims } from './shapes.js';

/** Counts by a plain loop in the test: the reference the word-at-a-time pass must match. */
function plainCounts(data: Uint8Array): number[] {
  const counts = new Array<number>(256).fill(0);
  for (const v of data) counts[v]++;
  return counts;
}

describe('labelHistograms', () => {
  it.each([[0, 1], [1, 7], [2, 3], [3, 4096 + 5], [1, 2]])('counts every value at byte offset %i, length %i',
    (offset, length) => {
      const buffer = new Uint8Array(offset + length);
      for (let i = 0; i < length; i++)
        buffer[offset + i] = i % 7 < 4 ? 3 : (i * 31) % 256; // runs of equal words and mixed words
      const labels = buffer.subarray(offset);
      expect(Array.from(labelHistograms(labels, [1, 1, length]).counts)).toEqual(plainCounts(labels));
    });

  it('counts the first and last row and column of every slice once, corners included', () => {
    // 3 slices of 4 rows × 5 columns, all value 1: the ring of a slice is 5 + 5 + 2 + 2 = 14 voxels
    const dims: Dims = [3, 4, 5];
    const { counts, border } = labelHistograms(labelMap(dims, () => 1), dims);
    expect([counts[1], border[1]]).toEqual([60, 42]);
  });

  it('counts each slice on its own, for the slices a segment spans', () => {
    const dims: Dims = [4, 3, 5];
    const { sliceCounts } = labelHistograms(
      labelMap(dims, (s, _r, c) => (s === 1 && c < 2 ? 7 : s === 3 ? 7 : 0)), dims);
    expect([0, 1, 2, 3].map((s) => sliceCounts[s * 256 + 7])).toEqual([0, 6, 0, 15]);
    expect([0, 1, 2, 3].map((s) => sliceCounts[s * 256])).toEqual([15, 9, 15, 0]);
  });

  it('treats a single row or column as all border', () => {
    expect(labelHistograms(labelMap([2, 1, 6], () => 4), [2, 1, 6]).border[4]).toBe(12);
    expect(labelHistograms(labelMap([2, 6, 1], () => 4), [2, 6, 1]).border[4]).toBe(12);
  });

  it('leaves out the interior of a slice and keeps values apart', () => {
    // 5×5 slice: value 2 in the centre 3×3, value 1 on the ring (16 voxels)
    const dims: Dims = [1, 5, 5];
    const data = labelMap(dims, (_s, r, c) => (r > 0 && r < 4 && c > 0 && c < 4 ? 2 : 1));
    const { counts, border } = labelHistograms(data, dims);
    expect([counts[1], counts[2], border[1], border[2]]).toEqual([16, 9, 16, 0]);
  });
});
