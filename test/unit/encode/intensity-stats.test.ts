// intensityStats finds label runs four labels at a time: check it against a voxel-by-voxel count on label maps whose
// runs start and end at every offset within a word, on aligned and unaligned views, with labels 0..255.
import { describe, expect, it } from 'vitest';
import { intensityStats, segmentStatistics } from '../../../src/encode/intensity-stats.js';
import { bodyLungLiver } from './fixtures.js';

/** Deterministic runs of length 1..40 with labels from a small set (255 included: a word of all ones). */
function runLabels(n: number, seed: number): Uint8Array {
  const palette = [0, 0, 1, 2, 3, 255];
  const out = new Uint8Array(n);
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8;
  for (let v = 0; v < n;) {
    const l = palette[next() % palette.length];
    const len = 1 + (next() % 40);
    out.fill(l, v, Math.min(n, v + len));
    v += len;
  }
  return out;
}

function voxelByVoxel(labels: Uint8Array, hu: Float32Array, values: number[]) {
  let count = 0, sum = 0, min = Infinity, max = -Infinity;
  labels.forEach((l, v) => {
    if (!values.includes(l)) return;
    count++; sum += hu[v]; min = Math.min(min, hu[v]); max = Math.max(max, hu[v]);
  });
  const mean = sum / count;
  let ss = 0;
  labels.forEach((l, v) => { if (values.includes(l)) ss += (hu[v] - mean) ** 2; });
  return { count, mean, stdDev: Math.sqrt(ss / count), min, max };
}

describe('intensityStats', () => {
  const n = 10_007;   // not a multiple of 4: the last run ends in a partial word
  const hu = Float32Array.from({ length: n + 3 }, (_, v) => ((v * 37) % 2001) - 1000);
  const sets = [[1, 2], [2], [3], [255], [7]];

  for (const offset of [0, 1, 2, 3]) {
    it(`matches a voxel-by-voxel count on a label view at byte offset ${offset}`, () => {
      const backing = new Uint8Array(n + 4);
      backing.set(runLabels(n, 17 + offset), offset);
      const labels = backing.subarray(offset, offset + n);
      const intensities = hu.subarray(0, n);
      const got = intensityStats({ dims: [n, 1, 1], data: labels }, intensities, sets);
      sets.forEach((values, i) => {
        const want = voxelByVoxel(labels, intensities, values);
        if (want.count === 0) { expect(got[i]).toBeUndefined(); return; }
        expect(want.count).toBeGreaterThan(100);
        expect(got[i]).toMatchObject({ count: want.count, min: want.min, max: want.max });
        expect(got[i]!.mean).toBeCloseTo(want.mean, 9);
        expect(got[i]!.stdDev).toBeCloseTo(want.stdDev, 6);
      });
    });
  }

  it('segmentStatistics keys by segment label and leaves out segments without voxels and when only volumes are asked', () => {
    const labels = Uint8Array.from({ length: 24 }, (_, v) => (v < 8 ? 0 : v < 16 ? 1 : 2));   // no liver (3)
    const intensities = Float32Array.from({ length: 24 }, (_, v) => v);
    const stats = segmentStatistics({ labels: { dims: [4, 3, 2], data: labels } }, bodyLungLiver, intensities);
    expect([...stats.keys()].sort()).toEqual(['Body', 'Lung']);
    expect(stats.get('Body')).toMatchObject({ count: 16, mean: 15.5, min: 8, max: 23 });
    expect(stats.get('Lung')).toMatchObject({ count: 8, mean: 19.5, min: 16, max: 23 });
    const volumesOnly = bodyLungLiver.map((s) => ({ ...s, measurements: ['volume' as const] }));
    expect(segmentStatistics({ labels: { dims: [4, 3, 2], data: labels } }, volumesOnly,
      new Float32Array(3)).size).toBe(0);
  });
});
