// One pass over a label map: voxels of each segment per slice, and the mean row of all segment voxels (where the
// coronal preview cuts). Label values map to segments through a table, so overlapping segments count in each.

export interface SegmentCounts {
  /** perSlice[s][k]: voxels of segment s in slice k */
  perSlice: Uint32Array[];
  /** voxels that belong to any segment, and the sum of their row indices */
  union: number;
  sumRow: number;
}

/** table[v]: a bit per segment whose labelValues contain v (bit n = segment n, at most 32 segments). */
export function membershipTable(labelValues: number[][]): Uint32Array {
  const table = new Uint32Array(256);
  labelValues.forEach((values, s) => { for (const v of values) table[v] |= 1 << s; });
  return table;
}

export function countSegments(labels: Uint8Array, [cols, rows, slices]: [number, number, number], table: Uint32Array,
  segmentCount: number): SegmentCounts {
  const perSlice = Array.from({ length: segmentCount }, () => new Uint32Array(slices));
  let union = 0;
  let sumRow = 0;
  for (let k = 0, p = 0; k < slices; k++) {
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++, p++) {
        const bits = table[labels[p]];
        if (bits === 0) continue;
        union++;
        sumRow += j;
        for (let s = 0; s < segmentCount; s++) if (bits & (1 << s)) perSlice[s][k]++;
      }
    }
  }
  return { perSlice, union, sumRow };
}
