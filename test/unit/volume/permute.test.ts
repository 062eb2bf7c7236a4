// Slices put into volume order in place: every arrangement of distinct source slots, including ones that leave slots
// out, gives slice k what slot source[k] held; bad sources are refused.
import { describe, expect, it } from 'vitest';
import { permuteSlices } from '../../../src/infer/volume/permute.js';
import { mulberry32 } from '../../../src/synthetic/radiograph.js';

const sliceSize = 3;
/** Slot s holds s*10, s*10+1, s*10+2. */
const slots = (n: number) =>
  Float32Array.from({ length: n * sliceSize }, (_, i) => Math.floor(i / sliceSize) * 10 + (i % sliceSize));

describe('permuteSlices', () => {
  it('reverses, rotates and leaves alone', () => {
    for (const source of [[3, 2, 1, 0], [1, 2, 3, 0], [0, 1, 2, 3], [2, 0, 3, 1]]) {
      const data = slots(4);
      permuteSlices(data, sliceSize, source);
      source.forEach((s, k) =>
        expect(Array.from(data.subarray(k * 3, k * 3 + 3))).toEqual([s * 10, s * 10 + 1, s * 10 + 2]));
    }
  });

  it('takes any subset of slots in any order (random cases)', () => {
    const random = mulberry32(7);
    for (let round = 0; round < 200; round++) {
      const total = 1 + Math.floor(random() * 12);
      const pool = Array.from({ length: total }, (_, s) => s).sort(() => random() - 0.5);
      const source = pool.slice(0, 1 + Math.floor(random() * total));
      const data = slots(total);
      permuteSlices(data, sliceSize, source);
      source.forEach((s, k) => expect(data[k * 3 + 1]).toBe(s * 10 + 1));
      const rest = Array.from({ length: total - source.length },
        (_, i) => data[(source.length + i) * 3]! / 10).sort((a, b) => a - b);
      expect(rest).toEqual(pool.slice(source.length).sort((a, b) => a - b)); // the left-out slots survive past the end
    }
  });

  it('refuses a repeated, negative or out-of-range slot', () => {
    expect(() => permuteSlices(slots(3), sliceSize, [0, 0])).toThrow(/bad source slot 0/);
    expect(() => permuteSlices(slots(3), sliceSize, [-1])).toThrow(/bad source slot -1/);
    expect(() => permuteSlices(slots(3), sliceSize, [3])).toThrow(/bad source slot 3/);
  });
});
