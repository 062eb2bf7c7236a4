// One ROI from its crop to its features: resampling and re-segmentation (prepare.ts), then every chosen family.
// Imports no validator (ajv): the feature and measure worker threads load only what they compute with.
import type { FeatureConfig } from './config.js';
import { discretise, type Discretisation } from './discretise.js';
import { glcmFeatures } from './glcm.js';
import { glrlmFeatures } from './glrlm.js';
import { intensityHistogramFeatures } from './histogram.js';
import { intensityVolumeFeatures } from './intensity-volume.js';
import { intensityStatisticsFeatures } from './intensity.js';
import { localIntensityFeatures } from './local-intensity.js';
import { morphologyFeatures } from './morphology.js';
import { neighbourhoodFeatures } from './neighbourhood.js';
import { prepareRoi } from './prepare.js';
import {
  FeatureError, type Feature, type FeatureFamily, type FeatureInput, type RoiVolume, type TextureAggregation,
} from './types.js';
import { zoneFeatures } from './zones.js';

/** What to compute on an already prepared (resampled, re-segmented) ROI. */
export interface FeatureSelection {
  families: FeatureFamily[];
  /** For GLCM and GLRLM (3D and by-slice); the zone and neighbourhood matrices are always 3D. */
  aggregations: TextureAggregation[];
  discretisation: Discretisation;
}

export const ALL_FAMILIES: FeatureFamily[] = ['morphology', 'local intensity', 'intensity statistics',
  'intensity histogram', 'intensity-volume histogram', 'glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'];

/** The whole stage for one segment: resample and re-segment as configured, then compute the chosen families. A
 *  fixed bin size without its own lower bound starts at the re-segmentation range's lower bound (IBSI). */
export function measureRoi(roi: RoiVolume, config: FeatureConfig): Feature[] {
  const input = prepareRoi(roi, config);
  const d = config.discretisation;
  const range = config.resegmentation.range;
  const discretisation: Discretisation = d.method === 'fixed bin size' && d.lowerBound === undefined && range
    ? { ...d, lowerBound: range[0] } : d;
  return computeFeatures(input, { families: config.families, aggregations: config.aggregations, discretisation });
}

export function computeFeatures(input: FeatureInput, selection: FeatureSelection): Feature[] {
  checkInput(input);
  const want = (f: FeatureFamily) => selection.families.includes(f);
  const out: Feature[] = [];
  if (want('morphology')) out.push(...morphologyFeatures(input));
  if (want('local intensity')) out.push(...localIntensityFeatures(input));
  if (want('intensity statistics')) out.push(...intensityStatisticsFeatures(input));
  const textured = ['intensity histogram', 'intensity-volume histogram', 'glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm',
    'ngldm'] as const;
  if (!textured.some(want)) return out;
  const levels = discretise(input, selection.discretisation);
  const mask = input.intensityMask;
  if (want('intensity histogram')) out.push(...intensityHistogramFeatures(levels, mask));
  if (want('intensity-volume histogram')) out.push(...intensityVolumeFeatures(levels, mask));
  if (want('glcm')) out.push(...glcmFeatures(levels, mask, selection.aggregations));
  if (want('glrlm')) out.push(...glrlmFeatures(levels, mask, selection.aggregations));
  if (want('glszm') || want('gldzm')) {
    out.push(...zoneFeatures(levels, mask, input.morphMask, selection.aggregations).filter((f) => want(f.family)));
  }
  if (want('ngtdm') || want('ngldm')) {
    out.push(...neighbourhoodFeatures(levels, mask, selection.aggregations).filter((f) => want(f.family)));
  }
  return out;
}

function checkInput({ image, morphMask, intensityMask, dims, spacing }: FeatureInput): void {
  const n = dims[0] * dims[1] * dims[2];
  if (image.length !== n || morphMask.length !== n || intensityMask.length !== n) {
    throw new FeatureError('FEAT_INPUT', `image and masks must have ${dims.join('×')} = ${n} voxels`);
  }
  if (!spacing.every((s) => Number.isFinite(s) && s > 0)) {
    throw new FeatureError('FEAT_INPUT', `voxel spacing must be positive, got ${spacing.join(', ')}`);
  }
  if (!morphMask.some((m) => m !== 0)) throw new FeatureError('FEAT_EMPTY_ROI', 'the ROI has no voxel');
  if (!intensityMask.some((m) => m !== 0)) {
    throw new FeatureError('FEAT_EMPTY_ROI', 'no ROI voxel is left after re-segmentation');
  }
}
