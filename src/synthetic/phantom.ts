// A deterministic chest-CT-like phantom in HU, with exact body and lung masks (ground truth for tests and benchmarks).

export interface PhantomOptions {
  /** default 300 */
  slices?: number;
  /** default 512 */
  rows?: number;
  /** default 512 */
  columns?: number;
  /** include a patient table below the body (never part of the body mask); default true */
  table?: boolean;
  /** amplitude of the deterministic noise in HU on tissue and lung (uniform in ±noise); default 10 */
  noise?: number;
  /** changes the noise pattern; default 1 */
  seed?: number;
}

export interface Phantom {
  hu: Int16Array;
  /** 1 where the voxel is body (soft tissue, fat rim, spine) and not lung */
  bodyMask: Uint8Array;
  lungMask: Uint8Array;
  /** [columns, rows, slices]; index = i + columns * (j + rows * k) */
  dims: [number, number, number];
}

export const PHANTOM_HU = { air: -1000, fat: -100, softTissue: 40, lung: -850, bone: 700, table: 150 } as const;

/**
 * Shapes are fractions of the grid so any size gives the same anatomy: body an elliptic cylinder along k
 * with a fat rim; two lungs as ellipsoids placed off-centre in k (so a flipped stack is detectable)
 * and well inside the body; a spine cylinder behind them; a table under the body with an air gap.
 */
export function phantomHu(opts: PhantomOptions = {}): Phantom {
  const slices = opts.slices ?? 300;
  const rows = opts.rows ?? 512;
  const columns = opts.columns ?? 512;
  const noise = opts.noise ?? 10;
  const seed = opts.seed ?? 1;
  const withTable = opts.table ?? true;
  const voxels = columns * rows * slices;
  const hu = new Int16Array(voxels);
  const bodyMask = new Uint8Array(voxels);
  const lungMask = new Uint8Array(voxels);
  const sliceSize = columns * rows;
  const labels = sliceLabels(columns, rows, withTable);
  // the k-invariant anatomy is built once per noise variant and copied per slice (memcpy speed, so
  // 300x512x512 takes about a second); the noise pattern repeats every NOISE_VARIANTS slices
  const templates = Array.from({ length: Math.min(NOISE_VARIANTS, slices) },
    (_, n) => noisyTemplate(labels, n, noise, seed));
  const bodyTemplate = new Uint8Array(sliceSize);
  for (let p = 0; p < sliceSize; p++)
    bodyTemplate[p] = labels[p] === SOFT || labels[p] === FAT || labels[p] === BONE ? 1 : 0;
  for (let k = 0; k < slices; k++) {
    const offset = k * sliceSize;
    const variant = k % templates.length;
    hu.set(templates[variant]!, offset);
    bodyMask.set(bodyTemplate, offset);
    const spans = lungSpans(columns, rows, (k + 0.5) / slices);
    for (let j = 0; j < rows; j++) {
      for (let side = 0; side < 2; side++) {
        const from = Math.max(0, Math.ceil(spans[4 * j + 2 * side]! - 0.5));
        const to = Math.min(columns - 1, Math.floor(spans[4 * j + 2 * side + 1]! - 0.5));
        for (let i = from; i <= to; i++) {
          const p = j * columns + i;
          if (labels[p] !== SOFT) continue;
          hu[offset + p] = PHANTOM_HU.lung + jitter(p + variant * sliceSize, noise, seed);
          bodyMask[offset + p] = 0;
          lungMask[offset + p] = 1;
        }
      }
    }
  }
  return { hu, bodyMask, lungMask, dims: [columns, rows, slices] };
}

const AIR = 0;
const SOFT = 1;
const FAT = 2;
const BONE = 3;
const TABLE = 4;
const LUNG = 5;

/** The part of the anatomy that does not change along k. */
function sliceLabels(columns: number, rows: number, withTable: boolean): Uint8Array {
  const labels = new Uint8Array(columns * rows);
  const cx = columns / 2;
  const cy = rows * 0.48;
  const a = columns * 0.42;
  const b = rows * 0.3;
  for (let j = 0, p = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++, p++) {
      const x = i + 0.5 - cx;
      const y = j + 0.5 - cy;
      const r = Math.sqrt((x / a) ** 2 + (y / b) ** 2);
      if (r <= 1) {
        const spine = Math.hypot(x / columns, (y - rows * 0.18) / rows) <= 0.045;
        labels[p] = spine ? BONE : r > 0.93 ? FAT : SOFT;
      } else if (withTable && j >= rows * 0.82 && j < rows * 0.86 && i >= columns * 0.1 && i < columns * 0.9) {
        labels[p] = TABLE;
      } else {
        labels[p] = AIR;
      }
    }
  }
  return labels;
}

/**
 * Two ellipsoids, centred at 55 % of the stack and reaching 38 % of it either way, cut at fraction z:
 * per row j, the x spans [left0, left1, right0, right1] inside each lung (empty spans are [1, 0]).
 */
function lungSpans(columns: number, rows: number, z: number): Float64Array {
  const spans = new Float64Array(rows * 4).fill(0);
  for (let j = 0; j < rows; j++) spans.set([1, 0, 1, 0], 4 * j);
  const dz = (z - 0.55) / 0.38;
  if (dz * dz >= 1) return spans;
  const scale = Math.sqrt(1 - dz * dz);
  const ax = columns * 0.12 * scale;
  const ay = rows * 0.17 * scale;
  const cy = rows * 0.46;
  for (let j = 0; j < rows; j++) {
    const y = (j + 0.5 - cy) / ay;
    if (y * y > 1) continue;
    const half = ax * Math.sqrt(1 - y * y);
    spans.set([columns * 0.3 - half, columns * 0.3 + half, columns * 0.7 - half, columns * 0.7 + half], 4 * j);
  }
  return spans;
}

const NOISE_VARIANTS = 16;

function noisyTemplate(labels: Uint8Array, variant: number, noise: number, seed: number): Int16Array {
  const base = variant * labels.length;
  const template = new Int16Array(labels.length);
  for (let p = 0; p < labels.length; p++) template[p] = huOf(labels[p]!, base + p, noise, seed);
  return template;
}

function huOf(label: number, voxel: number, noise: number, seed: number): number {
  switch (label) {
    case SOFT:
      return PHANTOM_HU.softTissue + jitter(voxel, noise, seed);
    case FAT:
      return PHANTOM_HU.fat + jitter(voxel, noise, seed);
    case BONE:
      return PHANTOM_HU.bone + jitter(voxel, noise, seed);
    case LUNG:
      return PHANTOM_HU.lung + jitter(voxel, noise, seed);
    case TABLE:
      return PHANTOM_HU.table;
    default:
      return PHANTOM_HU.air;
  }
}

/** Integer noise in [-amplitude, amplitude] from a hash of the voxel index: same phantom every run. */
function jitter(voxel: number, amplitude: number, seed: number): number {
  if (amplitude <= 0) return 0;
  let h = Math.imul(voxel ^ Math.imul(seed, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  return ((h >>> 0) % (2 * amplitude + 1)) - amplitude;
}
