// 3D connected components of a label-map segment: run-length labelling with union-find, linear in the voxels.

/**
 * Sizes in voxels of the 26-connected components of the voxels whose label value v has `member[v] !== 0`,
 * largest first. `labels` is [slices, rows, columns] in memory order (index = c + columns·(r + rows·s)).
 *
 * 26-connectivity, because a label map resampled from a model grid has staircase edges: an oblique airway or
 * vessel touches its next step only at an edge or corner, and 6-connectivity would count every step as a
 * separate piece. Counting with 26 means "more than N components" really are separate pieces.
 *
 * Each row is cut into runs of member voxels; a run is united with the runs it touches in the 4 rows
 * already seen that can touch it (the row above in this slice; the rows above, level and below in the
 * previous slice). Memory grows with the number of runs, not the voxels: a lung mask on 512² × 300 has
 * about a million runs.
 */
export function componentSizes(
  labels: Uint8Array, dims: readonly [number, number, number], member: Uint8Array,
): number[] {
  const [slices, rows, columns] = dims;
  const runs = new RunTable();
  const words = LITTLE_ENDIAN && columns % 4 === 0 && labels.byteOffset % 4 === 0
    ? new Uint32Array(labels.buffer, labels.byteOffset, labels.length >> 2) : undefined;
  const rowRuns = new Int32Array(slices * rows + 1); // runs of row i are rowRuns[i] .. rowRuns[i + 1] − 1
  for (let s = 0; s < slices; s++) {
    for (let r = 0; r < rows; r++) {
      const row = s * rows + r;
      rowRuns[row] = runs.count;
      if (words) scanRowWords(words, (row * columns) >> 2, columns, member, runs);
      else scanRow(labels, row * columns, columns, member, runs);
      rowRuns[row + 1] = runs.count;
      if (runs.count === rowRuns[row]) continue;
      if (r > 0) uniteTouching(runs, rowRuns, row, row - 1);
      if (s > 0) {
        const level = row - rows;
        if (r > 0) uniteTouching(runs, rowRuns, row, level - 1);
        uniteTouching(runs, rowRuns, row, level);
        if (r < rows - 1) uniteTouching(runs, rowRuns, row, level + 1);
      }
    }
  }
  return runs.componentSizes();
}

/** Appends the runs of member voxels in one row [base, base + columns). */
function scanRow(labels: Uint8Array, base: number, columns: number, member: Uint8Array, runs: RunTable): void {
  let c = 0;
  while (c < columns) {
    if (member[labels[base + c]] === 0) { c++; continue; }
    const start = c;
    while (c < columns && member[labels[base + c]] !== 0) c++;
    runs.add(start, c);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The same, four voxels at a time: most words of a label map are all background (0 is never a member) or
 * four voxels of one value, and those are decided by one comparison. Needs rows aligned to 4 bytes.
 */
function scanRowWords(words: Uint32Array, wordBase: number, columns: number, member: Uint8Array, runs: RunTable): void {
  let open = -1;
  const wordsPerRow = columns >> 2;
  for (let w = 0; w < wordsPerRow; w++) {
    const x = words[wordBase + w];
    const first = x & 255;
    if (x === Math.imul(first, 0x01010101) >>> 0) { // four voxels of one value
      if (member[first] === 0) {
        if (open >= 0) { runs.add(open, w << 2); open = -1; }
      } else if (open < 0) open = w << 2;
      continue;
    }
    for (let b = 0; b < 4; b++) {
      const c = (w << 2) + b;
      if (member[(x >>> (b << 3)) & 255] !== 0) {
        if (open < 0) open = c;
      } else if (open >= 0) { runs.add(open, c); open = -1; }
    }
  }
  if (open >= 0) runs.add(open, columns);
}

/**
 * Unites each run of row `a` with the runs of row `b` it touches in 26-connectivity: columns overlapping or
 * diagonally adjacent (run ends are exclusive, so [2,5) touches [5,7) through the corner at 4 and 5).
 * Both rows' runs are sorted by column, so one merge-like walk suffices.
 */
function uniteTouching(runs: RunTable, rowRuns: Int32Array, a: number, b: number): void {
  let i = rowRuns[a], j = rowRuns[b];
  const iEnd = rowRuns[a + 1], jEnd = rowRuns[b + 1];
  const { start, end } = runs;
  while (i < iEnd && j < jEnd) {
    if (end[i] < start[j]) i++;
    else if (end[j] < start[i]) j++;
    else {
      runs.unite(i, j);
      if (end[i] < end[j]) i++; else j++;
    }
  }
}

/** Growable run storage (start, exclusive end, union-find parent), typed arrays doubled as needed. */
class RunTable {
  count = 0;
  start = new Int32Array(1 << 14);
  end = new Int32Array(1 << 14);
  private parent = new Int32Array(1 << 14);

  add(start: number, end: number): void {
    if (this.count === this.start.length) this.grow();
    this.start[this.count] = start;
    this.end[this.count] = end;
    this.parent[this.count] = this.count;
    this.count++;
  }

  /** Root with path halving; roots are always the lowest run index of their component. */
  find(x: number): number {
    const parent = this.parent;
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }

  unite(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra < rb) this.parent[rb] = ra;
    else if (rb < ra) this.parent[ra] = rb;
  }

  componentSizes(): number[] {
    const voxels = new Float64Array(this.count);
    for (let k = 0; k < this.count; k++) voxels[this.find(k)] += this.end[k] - this.start[k];
    const sizes: number[] = [];
    for (let k = 0; k < this.count; k++) if (this.parent[k] === k) sizes.push(voxels[k]);
    return sizes.sort((x, y) => y - x);
  }

  private grow(): void {
    const size = this.start.length * 2;
    const copy = (a: Int32Array) => { const b = new Int32Array(size); b.set(a); return b; };
    this.start = copy(this.start);
    this.end = copy(this.end);
    this.parent = copy(this.parent);
  }
}
