// Label maps built from known shapes for the QC tests: [slices, rows, columns], filled by a per-voxel rule.

export type Dims = [number, number, number];

/** A label map whose voxel (s, r, c) holds value(s, r, c); index = c + columns·(r + rows·s). */
export function labelMap(dims: Dims, value: (s: number, r: number, c: number) => number): Uint8Array {
  const [slices, rows, columns] = dims;
  const data = new Uint8Array(slices * rows * columns);
  for (let s = 0; s < slices; s++) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++)
      data[c + columns * (r + rows * s)] = value(s, r, c);
  }
  return data;
}

/** Inclusive box test: lo ≤ (s, r, c) ≤ hi on every axis. */
export function inBox(s: number, r: number, c: number, lo: Dims, hi: Dims): boolean {
  return s >= lo[0] && s <= hi[0] && r >= lo[1] && r <= hi[1] && c >= lo[2] && c <= hi[2];
}

export function inSphere(s: number, r: number, c: number, centre: Dims, radius: number): boolean {
  return (s - centre[0]) ** 2 + (r - centre[1]) ** 2 + (c - centre[2]) ** 2 <= radius ** 2;
}

/** Independent reference: component sizes by breadth-first flood fill over the 26 neighbours, largest first. */
export function floodFillSizes(data: Uint8Array, dims: Dims, isMember: (v: number) => boolean): number[] {
  const [slices, rows, columns] = dims;
  const seen = new Uint8Array(data.length);
  const sizes: number[] = [];
  for (let start = 0; start < data.length; start++) {
    if (seen[start] || !isMember(data[start])) continue;
    seen[start] = 1;
    const queue = [start];
    for (let q = 0; q < queue.length; q++) {
      const v = queue[q];
      const c = v % columns, r = Math.floor(v / columns) % rows, s = Math.floor(v / (rows * columns));
      for (let ds = -1; ds <= 1; ds++) for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) {
        const ns = s + ds, nr = r + dr, nc = c + dc;
        if (ns < 0 || nr < 0 || nc < 0 || ns >= slices || nr >= rows || nc >= columns) continue;
        const n = nc + columns * (nr + rows * ns);
        if (!seen[n] && isMember(data[n])) { seen[n] = 1; queue.push(n); }
      }
    }
    sizes.push(queue.length);
  }
  return sizes.sort((a, b) => b - a);
}
