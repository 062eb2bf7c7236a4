// IBSI resampling to an isotropic grid with grid-centre alignment, restricted to the ROI's neighbourhood: the new
// grid is laid over the whole image (so the result does not depend on the crop), but only its voxels near the ROI
// are sampled.
import { boundingBox } from './mesh.js';
import type { ResamplingConfig } from './config.js';
import type { GridDims, RoiVolume } from './types.js';

/** The ROI is kept with this much image around it (mm): the local intensity sphere (r = 6.2 mm) must fit. */
export const CONTEXT_MARGIN_MM = 10;

/**
 * IBSI "align grid centres": n' = ⌈n·s / s'⌉ voxels per axis, positioned so both grids share their centre, i.e. new
 * voxel k lies at old index ((n − 1) − (n' − 1)·s'/s)/2 + k·s'/s.
 */
export function resampleRoi(roi: RoiVolume, r: ResamplingConfig): RoiVolume {
  const box = boundingBox(roi.mask, roi.dims);
  if (!box) return roi;
  const axes = [0, 1, 2].map((a) => {
    const n = roi.crop?.fullDims[a] ?? roi.dims[a]!, offset = roi.crop?.offset[a] ?? 0;
    const s = roi.spacing[a]!, ratio = r.spacingMm / s;
    const count = Math.ceil((n * s) / r.spacingMm);
    const first = ((n - 1) - (count - 1) * ratio) / 2 - offset; // in this (cropped) grid's index units
    const margin = CONTEXT_MARGIN_MM / s;
    // new voxels whose position falls within the ROI bounding box plus the margin
    const lo = Math.max(0, Math.floor((box.min[a]! - margin - first) / ratio));
    const hi = Math.min(count - 1, Math.ceil((box.max[a]! + margin - first) / ratio));
    return { positions: Array.from({ length: Math.max(0, hi - lo + 1) }, (_, k) => first + (lo + k) * ratio) };
  });
  const dims: GridDims = [axes[0]!.positions.length, axes[1]!.positions.length, axes[2]!.positions.length];
  const image = new Float32Array(dims[0] * dims[1] * dims[2]);
  const mask = new Uint8Array(image.length);
  const sampleImage = sampler(roi.image, roi.dims, r.interpolation);
  const sampleMask = sampler(roi.mask, roi.dims, r.maskInterpolation); // 0/1 values
  let v = 0;
  for (const z of axes[0]!.positions) {
    for (const y of axes[1]!.positions) {
      for (const x of axes[2]!.positions) {
        const value = sampleImage(z, y, x);
        image[v] = r.roundIntensities ? Math.round(value) : value;
        mask[v++] = sampleMask(z, y, x) >= r.partialVolumeThreshold ? 1 : 0;
      }
    }
  }
  return { image, mask, dims, spacing: [r.spacingMm, r.spacingMm, r.spacingMm] };
}

/** Interpolation at fractional old-grid indices; outside the grid the nearest edge voxel is used. */
export function sampler(
  data: ArrayLike<number>, dims: GridDims, how: 'trilinear' | 'nearest',
): (z: number, y: number, x: number) => number {
  const [Z, Y, X] = dims;
  const clamp = (i: number, n: number) => Math.min(n - 1, Math.max(0, i));
  if (how === 'nearest') {
    return (z, y, x) => data[clamp(Math.round(x), X) + X * (clamp(Math.round(y), Y) + Y * clamp(Math.round(z), Z))]!;
  }
  const at = (zz: number, yy: number, xx: number) => data[xx + X * (yy + Y * zz)]!;
  return (z, y, x) => {
    const zc = clamp(z, Z), yc = clamp(y, Y), xc = clamp(x, X);
    const z0 = Math.floor(zc), y0 = Math.floor(yc), x0 = Math.floor(xc);
    const z1 = Math.min(z0 + 1, Z - 1), y1 = Math.min(y0 + 1, Y - 1), x1 = Math.min(x0 + 1, X - 1);
    const fz = zc - z0, fy = yc - y0, fx = xc - x0;
    const c00 = at(z0, y0, x0) * (1 - fx) + at(z0, y0, x1) * fx, c01 = at(z0, y1, x0) * (1 - fx) + at(z0, y1, x1) * fx;
    const c10 = at(z1, y0, x0) * (1 - fx) + at(z1, y0, x1) * fx, c11 = at(z1, y1, x0) * (1 - fx) + at(z1, y1, x1) * fx;
    return (c00 * (1 - fy) + c01 * fy) * (1 - fz) + (c10 * (1 - fy) + c11 * fy) * fz;
  };
}
