// Cuts one segment and its surroundings out of a whole series, so that every feature loop runs over the segment's
// neighbourhood and not over a 300 × 512² grid; the crop remembers where it came from for grid alignment.
import { CONTEXT_MARGIN_MM } from './resample.js';
import { FeatureError, type GridDims, type GridSpacing, type RoiVolume } from './types.js';

/** Voxels beyond the context margin that trilinear resampling at the margin may still read. */
const INTERPOLATION_REACH_VOXELS = 2;

/** The segment whose label values are `labelValues`, with CONTEXT_MARGIN_MM (+2 voxels) of image around it. */
export function cropAround(
  image: Float32Array, labels: Uint8Array, labelValues: number[], dims: GridDims, spacing: GridSpacing,
): RoiVolume {
  const [Z, Y, X] = dims;
  if (image.length !== Z * Y * X || labels.length !== image.length) {
    throw new FeatureError('FEAT_INPUT', `image and labels must have ${dims.join('×')} voxels`);
  }
  const wanted = new Uint8Array(256);
  for (const l of labelValues) wanted[l] = 1;
  const min = [Z, Y, X], max = [-1, -1, -1];
  // Most of a series holds no label: a slice that equals zeros is skipped with one native memcmp. In the others, each
  // native indexOf jumps straight to the next row holding the label, so no call is spent on a row without it.
  const bytes = Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength);
  const zeros = Buffer.alloc(X * Y);
  for (let z = 0; z < Z; z++) {
    if (zeros.compare(bytes, X * Y * z, X * Y * (z + 1)) === 0) continue;
    const slice = labels.subarray(X * Y * z, X * Y * (z + 1));
    for (const l of labelValues) {
      for (let at = slice.indexOf(l); at >= 0; at = slice.indexOf(l, at)) {
        const y = Math.floor(at / X), rowEnd = X * (y + 1) - 1;
        const first = at - X * y, last = slice.lastIndexOf(l, rowEnd) - X * y;
        if (z < min[0]!) min[0] = z; if (z > max[0]!) max[0] = z;
        if (y < min[1]!) min[1] = y; if (y > max[1]!) max[1] = y;
        if (first < min[2]!) min[2] = first; if (last > max[2]!) max[2] = last;
        at = rowEnd + 1;
        if (at >= slice.length) break;
      }
    }
  }
  if (max[0]! < 0) throw new FeatureError('FEAT_EMPTY_ROI', `no voxel has label ${labelValues.join(', ')}`);
  const reach = [0, 1, 2].map((a) => Math.ceil(CONTEXT_MARGIN_MM / spacing[a]!) + INTERPOLATION_REACH_VOXELS);
  const lo = [0, 1, 2].map((a) => Math.max(0, min[a]! - reach[a]!));
  const hi = [0, 1, 2].map((a) => Math.min(dims[a]! - 1, max[a]! + reach[a]!));
  const cd: GridDims = [hi[0]! - lo[0]! + 1, hi[1]! - lo[1]! + 1, hi[2]! - lo[2]! + 1];
  const outImage = new Float32Array(cd[0] * cd[1] * cd[2]);
  const outMask = new Uint8Array(outImage.length);
  let k = 0;
  for (let z = lo[0]!; z <= hi[0]!; z++) {
    for (let y = lo[1]!; y <= hi[1]!; y++) {
      const base = X * (y + Y * z);
      outImage.set(image.subarray(base + lo[2]!, base + hi[2]! + 1), k);
      for (let x = lo[2]!; x <= hi[2]!; x++) outMask[k++] = wanted[labels[base + x]!]!;
    }
  }
  const offset: GridDims = [lo[0]!, lo[1]!, lo[2]!];
  return { image: outImage, mask: outMask, dims: cd, spacing, crop: { offset, fullDims: dims } };
}

/** The plain crop for an unresampled ROI: its bounding box plus the margin (features do not depend on the crop). */
export function cropToRoi(roi: RoiVolume): RoiVolume {
  const c = cropAround(roi.image, roi.mask, [1], roi.dims, roi.spacing);
  const o = c.crop!.offset, prior = roi.crop?.offset ?? [0, 0, 0];
  const offset: GridDims = [o[0] + prior[0], o[1] + prior[1], o[2] + prior[2]];
  return { ...c, crop: { offset, fullDims: roi.crop?.fullDims ?? roi.dims } };
}
