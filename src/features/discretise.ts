// IBSI intensity discretisation (manual section "Intensity discretisation"): fixed bin number or fixed bin size,
// grey levels 1..Ng inside the intensity mask, 0 outside.
import { FeatureError, type DiscretisedVolume, type FeatureInput } from './types.js';

export type Discretisation =
  | { method: 'fixed bin number'; bins: number }
  /** lowerBound: the re-segmentation range's lower bound where there is one, else the ROI's minimum. */
  | { method: 'fixed bin size'; binWidth: number; lowerBound?: number };

/** Grey levels fit a Uint16Array; far more bins than any texture matrix can use anyway. */
const MAX_GREY_LEVELS = 65535;

export function discretise(input: FeatureInput, how: Discretisation): DiscretisedVolume {
  const { image, intensityMask: mask, dims, spacing } = input;
  let min = Infinity, max = -Infinity;
  for (let v = 0; v < mask.length; v++) {
    if (!mask[v]) continue;
    if (image[v]! < min) min = image[v]!;
    if (image[v]! > max) max = image[v]!;
  }
  if (min > max) throw new FeatureError('FEAT_EMPTY_ROI', 'no voxel in the intensity mask to discretise');
  const levels = new Uint16Array(mask.length);
  let greyLevelCount: number;
  if (how.method === 'fixed bin number') {
    greyLevelCount = how.bins;
    const scale = max > min ? how.bins / (max - min) : 0;
    // x = max lands on Ng + 1 by the formula; IBSI assigns it to the top bin
    for (let v = 0; v < mask.length; v++) {
      if (mask[v]) levels[v] = Math.min(how.bins, Math.floor((image[v]! - min) * scale) + 1);
    }
  } else {
    const lower = how.lowerBound ?? min;
    if (min < lower) throw new FeatureError('FEAT_CONFIG',
      `ROI intensity ${min} is below the bin lower bound ${lower}`);
    greyLevelCount = Math.floor((max - lower) / how.binWidth) + 1;
    if (greyLevelCount > MAX_GREY_LEVELS) {
      throw new FeatureError('FEAT_CONFIG',
        `bin width ${how.binWidth} gives ${greyLevelCount} grey levels (> ${MAX_GREY_LEVELS})`);
    }
    for (let v = 0; v < mask.length; v++) if (mask[v]) levels[v] = Math.floor((image[v]! - lower) / how.binWidth) + 1;
  }
  return { levels, greyLevelCount, dims, spacing };
}
