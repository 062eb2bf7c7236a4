// The model grid: the source volume reoriented (axis permutation + flips) and resampled to the manifest's spacing,
// with the exact inverse used to put labels back on the source grid.
import { InferenceError } from './errors.js';
import type { Preprocessing } from './manifest.js';
import type { Volume } from './volume/types.js';

export type Triple = [number, number, number];

export interface ModelGrid {
  /** Voxels along the model grid's i, j, k; memory index = i + ni * (j + nj * k). */
  dims: Triple;
  spacing: Triple;
  /** sourceAxis[p]: the source voxel axis that model axis p is taken from. */
  sourceAxis: Triple;
  /** flip[p]: model axis p runs opposite to its source axis. */
  flip: [boolean, boolean, boolean];
}

/** Chooses the model grid for a volume: nearest patient axis per voxel axis (as nibabel's io_orientation), then
 *  spacing. */
export function planModelGrid(volume: Volume, pre: Pick<Preprocessing, 'orientation' | 'targetSpacing'>): ModelGrid {
  const { sourceAxis, flip } = orientationPlan(volume.affine, pre.orientation);
  const dims = [0, 0, 0] as Triple;
  const spacing = [0, 0, 0] as Triple;
  for (let p = 0; p < 3; p++) {
    const a = sourceAxis[p];
    const extentMm = volume.dims[a] * volume.spacing[a];
    spacing[p] = pre.targetSpacing ? pre.targetSpacing[p] : volume.spacing[a];
    dims[p] = Math.max(1, Math.round(extentMm / spacing[p]));
    spacing[p] = extentMm / dims[p]; // keep the physical extent exact
  }
  return { dims, spacing, sourceAxis, flip };
}

function orientationPlan(affine: number[],
  orientation: 'LPS' | 'RAS'): { sourceAxis: Triple; flip: [boolean, boolean, boolean] } {
  const desiredSign = orientation === 'LPS' ? [1, 1, 1] : [-1, -1, 1]; // RAS: +x is right = −L
  const sourceAxis = [-1, -1, -1] as Triple;
  const flip: [boolean, boolean, boolean] = [false, false, false];
  for (let a = 0; a < 3; a++) {
    const column = [affine[a], affine[4 + a], affine[8 + a]];
    const p = column.reduce((best, v, q) => (Math.abs(v) > Math.abs(column[best]) ? q : best), 0);
    if (sourceAxis[p] !== -1 || column[p] === 0) {
      throw new InferenceError('INVALID_VOLUME',
        'voxel axes do not map to distinct patient axes (degenerate or strongly oblique affine)');
    }
    sourceAxis[p] = a;
    flip[p] = Math.sign(column[p]) !== desiredSign[p];
  }
  return { sourceAxis, flip };
}

/** Resamples the source data onto the model grid (trilinear or nearest), reading the shared source buffer in place. */
export function resampleToModelGrid(volume: Volume, grid: ModelGrid,
  interpolation: 'trilinear' | 'nearest'): Float32Array {
  const strides = [1, volume.dims[0], volume.dims[0] * volume.dims[1]];
  const taps = [0, 1, 2].map((p) =>
    axisTaps(volume.dims[grid.sourceAxis[p]], grid.dims[p], grid.flip[p], strides[grid.sourceAxis[p]], interpolation));
  const [ti, tj, tk] = taps;
  const [ni, nj, nk] = grid.dims;
  const src = volume.data;
  const out = new Float32Array(ni * nj * nk);
  let o = 0;
  for (let k = 0; k < nk; k++) {
    const k0 = tk.lo[k], k1 = tk.hi[k], wk = tk.w[k];
    for (let j = 0; j < nj; j++) {
      const j0 = tj.lo[j], j1 = tj.hi[j], wj = tj.w[j];
      const b00 = k0 + j0, b01 = k0 + j1, b10 = k1 + j0, b11 = k1 + j1;
      for (let i = 0; i < ni; i++, o++) {
        const i0 = ti.lo[i], i1 = ti.hi[i], wi = ti.w[i];
        const c00 = src[b00 + i0] + (src[b00 + i1] - src[b00 + i0]) * wi;
        const c01 = src[b01 + i0] + (src[b01 + i1] - src[b01 + i0]) * wi;
        const c10 = src[b10 + i0] + (src[b10 + i1] - src[b10 + i0]) * wi;
        const c11 = src[b11 + i0] + (src[b11 + i1] - src[b11 + i0]) * wi;
        const c0 = c00 + (c01 - c00) * wj;
        const c1 = c10 + (c11 - c10) * wj;
        out[o] = c0 + (c1 - c0) * wk;
      }
    }
  }
  return out;
}

/** Per model index along one axis: the two source offsets (already times the source stride) and the weight of the upper
 *  one. */
function axisTaps(nSource: number, nModel: number, flip: boolean, stride: number,
  interpolation: 'trilinear' | 'nearest') {
  const lo = new Int32Array(nModel), hi = new Int32Array(nModel), w = new Float32Array(nModel);
  const scale = nSource / nModel;
  for (let t = 0; t < nModel; t++) {
    let r = (t + 0.5) * scale - 0.5; // voxel centres aligned, extents equal
    if (flip) r = nSource - 1 - r;
    r = Math.min(Math.max(r, 0), nSource - 1);
    if (interpolation === 'nearest') r = Math.round(r);
    const r0 = Math.floor(r);
    const r1 = Math.min(r0 + 1, nSource - 1);
    lo[t] = r0 * stride; hi[t] = r1 * stride; w[t] = r - r0;
  }
  return { lo, hi, w };
}

/** Puts model-grid labels back on the source grid by nearest neighbour: label (i,j,k) describes source slice k, row j,
 *  column i. */
export function labelsToSourceGrid(modelLabels: Uint8Array, grid: ModelGrid, sourceDims: Triple,
  out: Uint8Array): void {
  const modelStrides = [1, grid.dims[0], grid.dims[0] * grid.dims[1]];
  const lookup: Int32Array[] = [];
  for (let p = 0; p < 3; p++) {
    const a = grid.sourceAxis[p];
    const nSource = sourceDims[a], nModel = grid.dims[p];
    const table = new Int32Array(nSource);
    for (let s = 0; s < nSource; s++) {
      const r = grid.flip[p] ? nSource - 1 - s : s;
      const t = Math.min(Math.max(Math.round((r + 0.5) * (nModel / nSource) - 0.5), 0), nModel - 1);
      table[s] = t * modelStrides[p];
    }
    lookup[a] = table;
  }
  const [li, lj, lk] = lookup;
  const [ni, nj, nk] = sourceDims;
  let o = 0;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const base = lk[k] + lj[j];
      for (let i = 0; i < ni; i++, o++) out[o] = modelLabels[base + li[i]];
    }
  }
}
