// Benchmark: the quality check on a 300 × 512 × 512 label map (body with two lungs, plus 2000 single-voxel specks).
// Prints ms (wall and CPU) for the histogram pass, the component labelling of each segment, and a whole checkResult.
import { checkResult, componentSizes, type QcSegment } from '../src/qc/index.js';
import { labelHistograms } from '../src/qc/label-histograms.js';

const [SLICES, ROWS, COLUMNS] = [300, 512, 512];
const RUNS = 5;

/** Body: an elliptic cylinder (label 1); lungs: two ellipsoids inside it (label 2); specks of label 2 in the body. */
function bodyWithLungs(): Uint8Array {
  const labels = new Uint8Array(SLICES * ROWS * COLUMNS);
  for (let s = 0; s < SLICES; s++) {
    for (let r = 0; r < ROWS; r++) {
      for (let c = 0; c < COLUMNS; c++) {
        const body = ((c - 256) / 220) ** 2 + ((r - 256) / 160) ** 2 <= 1;
        const lung = (x: number) => ((c - x) / 80) ** 2 + ((r - 240) / 110) ** 2 + ((s - 150) / 140) ** 2 <= 1;
        labels[c + COLUMNS * (r + ROWS * s)] = !body ? 0 : lung(160) || lung(352) ? 2 : 1;
      }
    }
  }
  let seed = 7;
  for (let k = 0; k < 2000; k++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const s = seed % SLICES, r = 200 + (seed >> 8) % 100, c = 240 + (seed >> 4) % 30;
    labels[c + COLUMNS * (r + ROWS * s)] = 2;
  }
  return labels;
}

/** Median wall-clock ms, and the median CPU ms of this thread's process (on a busy shared machine, wall time
 *  includes waiting for a core; CPU time is what the work itself costs). */
function timed(run: () => unknown): string {
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint(), c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(RUNS / 2)].toFixed(0);
  return `${median(wall)} ms (CPU ${median(cpu)} ms)`;
}

const labels = bodyWithLungs();
const dims = [SLICES, ROWS, COLUMNS] as const;
const member = (values: number[]) => { const m = new Uint8Array(256); for (const v of values) m[v] = 1; return m; };
const segments: QcSegment[] = [
  { label: 'Body', labelValues: [1, 2],
    checks: { volumeMl: { min: 1000 }, maxBorderFraction: 0.01, maxComponents: 1 } },
  { label: 'Lung', labelValues: [2],
    checks: { volumeMlPerCm: { min: 40 }, inside: { segment: 'Body', maxFractionOutside: 0 },
      maxBorderFraction: 0, maxComponents: 3, ignoreComponentsBelowMl: 5 } },
];
const lungSizes = componentSizes(labels, dims, member([2]));
console.log(
  `label map ${SLICES}×${ROWS}×${COLUMNS} = ${(labels.length / 1e6).toFixed(1)} M voxels; median of ${RUNS} runs`);
console.log(`histograms (per slice + border): ${timed(() => labelHistograms(labels, dims))}`);
console.log(
  `components, Lung (${lungSizes.length} components): ${timed(() => componentSizes(labels, dims, member([2])))}`);
console.log(`components, Body: ${timed(() => componentSizes(labels, dims, member([1, 2])))}`);
const input = { labels: { data: labels, dims, spacingMm: [1, 0.7, 0.7] as const }, scannedLengthCm: 30, segments };
const result = checkResult(input);
console.log(`checkResult, both segments, every check: ${timed(() => checkResult(input))} (state ${result.state})`);
