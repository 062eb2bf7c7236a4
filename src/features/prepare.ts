// From a segment on its image to the feature stage's input: resampling (when configured), then IBSI
// re-segmentation, which narrows the intensity mask and leaves the morphological mask as delineated.
import type { FeatureConfig } from './config.js';
import { cropToRoi } from './crop.js';
import { resampleRoi } from './resample.js';
import { FeatureError, type FeatureInput, type RoiVolume } from './types.js';

export function prepareRoi(roi: RoiVolume, config: FeatureConfig): FeatureInput {
  const n = roi.dims[0] * roi.dims[1] * roi.dims[2];
  if (roi.image.length !== n || roi.mask.length !== n) {
    throw new FeatureError('FEAT_INPUT', `image and mask must have ${roi.dims.join('×')} = ${n} voxels`);
  }
  // without resampling, crop anyway: every loop then runs over the ROI's neighbourhood, not the whole series
  const grid = config.resampling ? resampleRoi(roi, config.resampling) : cropToRoi(roi);
  const morphMask = grid.mask;
  const intensityMask = resegment(grid.image, morphMask, config.resegmentation);
  return { image: grid.image, morphMask, intensityMask, dims: grid.dims, spacing: grid.spacing };
}

/** ROI voxels within the range (inclusive), then, when set, within outlierSigma SDs of the remaining mean. */
export function resegment(image: Float32Array, mask: Uint8Array, r: FeatureConfig['resegmentation']): Uint8Array {
  const out = new Uint8Array(mask.length);
  const [lo, hi] = r.range ?? [-Infinity, Infinity];
  let n = 0, sum = 0, sumSq = 0;
  for (let v = 0; v < mask.length; v++) {
    if (!mask[v] || image[v]! < lo || image[v]! > hi) continue;
    out[v] = 1;
    n++; sum += image[v]!; sumSq += image[v]! ** 2;
  }
  if (r.outlierSigma !== null && n > 0) {
    const mean = sum / n, sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    for (let v = 0; v < out.length; v++) if (out[v] && Math.abs(image[v]! - mean) > r.outlierSigma * sd) out[v] = 0;
  }
  return out;
}
