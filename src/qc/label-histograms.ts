// Voxel counts per label value, per slice and on the in-plane border: one pass feeds every check but the components.

/**
 * counts[v]: voxels with label value v; border[v]: those of them on the in-plane image border;
 * sliceCounts[256·s + v]: those in slice s (for the slices a segment spans).
 */
export interface LabelHistograms { counts: Float64Array; border: Float64Array; sliceCounts: Float64Array }

/**
 * A segment is a set of label values, so its voxel count, its border count and its overlap with another
 * segment are all sums over these 256-bin histograms: one pass over the label map serves every segment.
 *
 * The border is in-plane: the first and last row and column of every slice. That is where a field of view
 * too small for the patient cuts through anatomy, or where a segment leaks into the air outside the patient.
 * The first and last slices are left out on purpose: the scan range ends there, and a lung cut by the scan
 * range (a scan of the lung bases only) is a normal partial scan, not an implausible result.
 */
export function labelHistograms(labels: Uint8Array, dims: readonly [number, number, number]): LabelHistograms {
  const [slices, rows, columns] = dims;
  const counts = new Float64Array(256);
  const border = new Float64Array(256);
  const sliceCounts = new Float64Array(slices * 256);
  const lanes = [0, 1, 2, 3].map(() => new Uint32Array(256));
  const plane = rows * columns;
  for (let s = 0; s < slices; s++) {
    const base = s * plane;
    const slice = sliceCounts.subarray(s * 256, s * 256 + 256);
    countValues(labels.subarray(base, base + plane), slice, lanes);
    for (let v = 0; v < 256; v++) counts[v] += slice[v];
    for (let c = 0; c < columns; c++) border[labels[base + c]]++;
    if (rows > 1) for (let c = 0; c < columns; c++) border[labels[base + (rows - 1) * columns + c]]++;
    for (let r = 1; r < rows - 1; r++) {
      border[labels[base + r * columns]]++;
      if (columns > 1) border[labels[base + r * columns + columns - 1]]++;
    }
  }
  return { counts, border, sliceCounts };
}

/**
 * Counts of every label value. The whole-map pass is the cost (78 M voxels), so it reads four voxels a word:
 * a word of four equal values (background, or inside an organ) adds 4 at once; the others go to four
 * histograms, one per byte lane, so that neighbouring equal voxels do not wait on each other's increment.
 * Which byte is which lane does not matter to a count, so byte order does not either. Uint32 lanes are exact
 * (a lane sees under 2^32 voxels); the totals are summed into a Float64Array.
 */
function countValues(labels: Uint8Array, counts: Float64Array, lanes: Uint32Array[]): void {
  const head = Math.min(labels.length, (4 - (labels.byteOffset & 3)) & 3); // bytes before the first aligned word
  const wordCount = (labels.length - head) >> 2;
  for (let v = 0; v < head; v++) counts[labels[v]]++;
  // (a view starting off a word boundary would throw, so an array too short for a word gets an empty one)
  const words =
    wordCount > 0 ? new Uint32Array(labels.buffer, labels.byteOffset + head, wordCount) : new Uint32Array(0);
  for (const lane of lanes) lane.fill(0);
  const [lane0, lane1, lane2, lane3] = lanes;
  for (let w = 0; w < wordCount; w++) {
    const x = words[w];
    const first = x & 255;
    if (x === Math.imul(first, 0x01010101) >>> 0) { counts[first] += 4; continue; }
    lane0[first]++; lane1[(x >>> 8) & 255]++; lane2[(x >>> 16) & 255]++; lane3[x >>> 24]++;
  }
  for (let v = head + wordCount * 4; v < labels.length; v++) counts[labels[v]]++;
  for (let v = 0; v < 256; v++) counts[v] += lane0[v] + lane1[v] + lane2[v] + lane3[v];
}

/** Number of slices from the first to the last that holds any of the values (0 when none does). */
export function sliceExtent(h: LabelHistograms, values: readonly number[]): number {
  const slices = h.sliceCounts.length / 256;
  let first = -1, last = -1;
  for (let s = 0; s < slices; s++) {
    if (values.some((v) => h.sliceCounts[s * 256 + v] > 0)) { if (first < 0) first = s; last = s; }
  }
  return first < 0 ? 0 : last - first + 1;
}

/** Sum of a histogram over a set of label values (each counted once, even if listed twice). */
export function sumOver(histogram: Float64Array, values: Iterable<number>): number {
  let sum = 0;
  for (const v of new Set(values)) sum += histogram[v] ?? 0;
  return sum;
}
