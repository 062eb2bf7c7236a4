// IBSI intensity histogram features (manual section "Intensity histogram features"), on the discretised grey levels.
import { describe, valuesInMask } from './statistics.js';
import type { DiscretisedVolume, Feature } from './types.js';

export function intensityHistogramFeatures(d: DiscretisedVolume, mask: Uint8Array): Feature[] {
  const values = valuesInMask(d.levels, mask);
  const s = describe(values);
  const Ng = d.greyLevelCount;
  const counts = new Float64Array(Ng + 1); // counts[i], grey level i = 1..Ng
  for (const v of values) counts[v]!++;
  let entropy = 0, uniformity = 0, mode = 1;
  for (let i = 1; i <= Ng; i++) {
    const p = counts[i]! / values.length;
    if (p > 0) entropy -= p * Math.log2(p);
    uniformity += p * p;
    if (counts[i]! > counts[mode]!) mode = i;
  }
  const g = gradient(counts, Ng);
  let maxAt = 1, minAt = 1;
  for (let i = 1; i <= Ng; i++) {
    if (g[i]! > g[maxAt]!) maxAt = i;
    if (g[i]! < g[minAt]!) minAt = i;
  }
  const rows: [string, string, number][] = [
    ['X6K6', 'Mean discretised intensity', s.mean], ['CH89', 'Discretised intensity variance', s.variance],
    ['88K1', 'Discretised intensity skewness', s.skewness],
    ['C3I7', '(Excess) discretised intensity kurtosis', s.kurtosis],
    ['WIFQ', 'Median discretised intensity', s.median], ['1PR8', 'Minimum discretised intensity', s.minimum],
    ['GPMT', '10th discretised intensity percentile', s.p10], ['OZ0C', '90th discretised intensity percentile', s.p90],
    ['3NCY', 'Maximum discretised intensity', s.maximum], ['AMMC', 'Intensity histogram mode', mode],
    ['WR0O', 'Discretised intensity interquartile range', s.interquartileRange],
    ['5Z3W', 'Discretised intensity range', s.range],
    ['D2ZX', 'Intensity histogram mean absolute deviation', s.meanAbsoluteDeviation],
    ['WRZB', 'Intensity histogram robust mean absolute deviation', s.robustMeanAbsoluteDeviation],
    ['4RNL', 'Intensity histogram median absolute deviation', s.medianAbsoluteDeviation],
    ['CWYJ', 'Intensity histogram coefficient of variation', s.coefficientOfVariation],
    ['SLWD', 'Intensity histogram quartile coefficient of dispersion', s.quartileCoefficientOfDispersion],
    ['TLU2', 'Discretised intensity entropy', entropy], ['BJ5W', 'Discretised intensity uniformity', uniformity],
    ['12CE', 'Maximum histogram gradient', g[maxAt]!], ['8E6O', 'Maximum histogram gradient intensity', maxAt],
    ['VQB3', 'Minimum histogram gradient', g[minAt]!], ['RHQZ', 'Minimum histogram gradient intensity', minAt],
  ];
  return rows.map(([id, name, value]) => ({ id, name, family: 'intensity histogram', value, unit: '1' }));
}

/** IBSI histogram gradient: central differences inside, one-sided at the first and last grey level. */
function gradient(counts: Float64Array, Ng: number): Float64Array {
  const g = new Float64Array(Ng + 1);
  if (Ng === 1) return g;
  g[1] = counts[2]! - counts[1]!;
  g[Ng] = counts[Ng]! - counts[Ng - 1]!;
  for (let i = 2; i < Ng; i++) g[i] = (counts[i + 1]! - counts[i - 1]!) / 2;
  return g;
}
