// IBSI intensity-based statistical features (manual section "Intensity-based statistical features"), on the
// intensities of the intensity mask as they are (before discretisation).
import { describe, valuesInMask } from './statistics.js';
import type { Feature, FeatureInput, FeatureUnit } from './types.js';

export function intensityStatisticsFeatures(input: FeatureInput): Feature[] {
  const s = describe(valuesInMask(input.image, input.intensityMask));
  const f: Feature[] = [];
  const add = (id: string, name: string, value: number, unit: FeatureUnit) =>
    f.push({ id, name, family: 'intensity statistics', value, unit });
  add('Q4LE', 'Mean intensity', s.mean, 'intensity');
  add('ECT3', 'Intensity variance', s.variance, 'intensity2');
  add('KE2A', 'Intensity skewness', s.skewness, '1');
  add('IPH6', '(Excess) intensity kurtosis', s.kurtosis, '1');
  add('Y12H', 'Median intensity', s.median, 'intensity');
  add('1GSF', 'Minimum intensity', s.minimum, 'intensity');
  add('QG58', '10th intensity percentile', s.p10, 'intensity');
  add('8DWT', '90th intensity percentile', s.p90, 'intensity');
  add('84IY', 'Maximum intensity', s.maximum, 'intensity');
  add('SALO', 'Intensity interquartile range', s.interquartileRange, 'intensity');
  add('2OJQ', 'Intensity range', s.range, 'intensity');
  add('4FUA', 'Intensity-based mean absolute deviation', s.meanAbsoluteDeviation, 'intensity');
  add('1128', 'Intensity-based robust mean absolute deviation', s.robustMeanAbsoluteDeviation, 'intensity');
  add('N72L', 'Intensity-based median absolute deviation', s.medianAbsoluteDeviation, 'intensity');
  add('7TET', 'Intensity-based coefficient of variation', s.coefficientOfVariation, '1');
  add('9S40', 'Intensity-based quartile coefficient of dispersion', s.quartileCoefficientOfDispersion, '1');
  add('N8CA', 'Intensity-based energy', s.energy, 'intensity2');
  add('5ZWQ', 'Root mean square intensity', s.rootMeanSquare, 'intensity');
  return f;
}
