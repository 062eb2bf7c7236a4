// The descriptive statistics IBSI uses twice, on intensities and on discretised grey levels: one function,
// identifiers supplied by the family that calls it.

export interface DescriptiveStatistics {
  mean: number; variance: number; skewness: number; kurtosis: number; median: number; minimum: number;
  p10: number; p90: number; maximum: number; interquartileRange: number; range: number;
  meanAbsoluteDeviation: number; robustMeanAbsoluteDeviation: number; medianAbsoluteDeviation: number;
  coefficientOfVariation: number; quartileCoefficientOfDispersion: number; energy: number; rootMeanSquare: number;
}

/** Population moments (divide by N, as IBSI defines them); percentiles interpolated linearly between order
 *  statistics (position p·(N − 1)), the convention of the IBSI reference implementations. */
export function describe(values: Float64Array): DescriptiveStatistics {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  let sum = 0, energy = 0;
  for (const v of sorted) { sum += v; energy += v * v; }
  const mean = sum / n;
  let m2 = 0, m3 = 0, m4 = 0, mad = 0;
  for (const v of sorted) {
    const d = v - mean;
    m2 += d * d; m3 += d * d * d; m4 += d * d * d * d; mad += Math.abs(d);
  }
  m2 /= n; m3 /= n; m4 /= n;
  const median = percentile(sorted, 0.5), p10 = percentile(sorted, 0.1), p90 = percentile(sorted, 0.9);
  const p25 = percentile(sorted, 0.25), p75 = percentile(sorted, 0.75);
  let medianDev = 0;
  for (const v of sorted) medianDev += Math.abs(v - median);
  return {
    mean, variance: m2, skewness: m2 === 0 ? 0 : m3 / m2 ** 1.5, kurtosis: m2 === 0 ? 0 : m4 / (m2 * m2) - 3,
    median, minimum: sorted[0]!, p10, p90, maximum: sorted[n - 1]!, interquartileRange: p75 - p25,
    range: sorted[n - 1]! - sorted[0]!, meanAbsoluteDeviation: mad / n,
    robustMeanAbsoluteDeviation: robustMeanAbsoluteDeviation(sorted, p10, p90),
    medianAbsoluteDeviation: medianDev / n, coefficientOfVariation: Math.sqrt(m2) / mean,
    quartileCoefficientOfDispersion: (p75 - p25) / (p75 + p25), energy, rootMeanSquare: Math.sqrt(energy / n),
  };
}

/** Linear interpolation between the order statistics around position p·(N − 1) of sorted values. */
export function percentile(sorted: Float64Array, p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Mean absolute deviation from their own mean of the values between the 10th and 90th percentiles. */
function robustMeanAbsoluteDeviation(sorted: Float64Array, p10: number, p90: number): number {
  let sum = 0, n = 0;
  for (const v of sorted) if (v >= p10 && v <= p90) { sum += v; n++; }
  const mean = sum / n;
  let dev = 0;
  for (const v of sorted) if (v >= p10 && v <= p90) dev += Math.abs(v - mean);
  return dev / n;
}

/** The values of image voxels inside the mask, in voxel order. */
export function valuesInMask(image: ArrayLike<number>, mask: Uint8Array): Float64Array {
  let n = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) n++;
  const out = new Float64Array(n);
  for (let v = 0, k = 0; v < mask.length; v++) if (mask[v]) out[k++] = image[v]!;
  return out;
}
