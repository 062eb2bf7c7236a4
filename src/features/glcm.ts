// IBSI grey level co-occurrence matrix features (manual section "Grey level co-occurrence based features"): 3D,
// distance 1, symmetric matrices per direction, aggregated "3D, averaged" (features per direction, then their mean)
// and "3D, merged" (one matrix summed over the 13 directions).
import { DIRECTIONS_3D, step } from './directions.js';
import { IN_PLANE_DIRECTIONS, roiSlices, sliceAggregations } from './slice-aggregation.js';
import type { DiscretisedVolume, Feature, TextureAggregation } from './types.js';

const NAMES: [string, string][] = [
  ['GYBY', 'Joint maximum'], ['60VM', 'Joint average'], ['UR99', 'Joint variance'], ['TU9B', 'Joint entropy'],
  ['TF7R', 'Difference average'], ['D3YU', 'Difference variance'], ['NTRS', 'Difference entropy'],
  ['ZGXS', 'Sum average'], ['OEEB', 'Sum variance'], ['P6QZ', 'Sum entropy'], ['8ZQL', 'Angular second moment'],
  ['ACUI', 'Contrast'], ['8S9J', 'Dissimilarity'], ['IB1Z', 'Inverse difference'],
  ['NDRX', 'Normalised inverse difference'], ['WF0Z', 'Inverse difference moment'],
  ['1QCO', 'Normalised inverse difference moment'], ['E8JP', 'Inverse variance'], ['NI2N', 'Correlation'],
  ['QWB0', 'Autocorrelation'], ['DG8W', 'Cluster tendency'], ['7NFM', 'Cluster shade'], ['AE86', 'Cluster prominence'],
  ['R8DG', 'Information correlation 1'], ['JN9H', 'Information correlation 2'],
];

export function glcmFeatures(d: DiscretisedVolume, mask: Uint8Array, aggregations: TextureAggregation[]): Feature[] {
  const Ng = d.greyLevelCount;
  const matrices = DIRECTIONS_3D.map((dir) => cooccurrence(d, mask, dir));
  const out: Feature[] = [];
  const emit = (aggregation: TextureAggregation, values: number[]) =>
    NAMES.forEach(([id, name], k) => out.push({ id, name, family: 'glcm', aggregation, value: values[k]!, unit: '1' }));
  if (aggregations.includes('3D, averaged')) {
    const perDirection = matrices.filter((m) => total(m) > 0).map((m) => matrixFeatures(m, Ng));
    emit('3D, averaged', NAMES.map((_, k) => perDirection.reduce((s, f) => s + f[k]!, 0) / perDirection.length));
  }
  if (aggregations.includes('3D, merged')) {
    const merged = new Float64Array(Ng * Ng);
    for (const m of matrices) for (let k = 0; k < m.length; k++) merged[k]! += m[k]!;
    emit('3D, merged', matrixFeatures(merged, Ng));
  }
  const bySlice = sliceAggregations({
    slices: roiSlices(mask, d.dims),
    matrix: (z, k) => cooccurrence(d, mask, IN_PLANE_DIRECTIONS[k]!, z),
    merge: (ms) => ms.reduce((a, m) => a.map((c, k) => c + m[k]!), new Float64Array(Ng * Ng)),
    features: (m) => (total(m) > 0 ? matrixFeatures(m, Ng) : undefined),
  }, aggregations);
  for (const [aggregation, values] of bySlice) emit(aggregation, values);
  return out;
}

/** Symmetric co-occurrence counts (row-major Ng × Ng, level i at row i − 1) of ROI voxel pairs one step apart. */
export function cooccurrence(
  d: DiscretisedVolume, mask: Uint8Array, dir: readonly [number, number, number], slice?: number,
): Float64Array {
  const [Z, Y, X] = d.dims, Ng = d.greyLevelCount;
  const m = new Float64Array(Ng * Ng);
  const z0 = slice ?? 0, z1 = slice === undefined ? Z : slice + 1;
  for (let z = z0, v = z0 * X * Y; z < z1; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        const n = step(d.dims, x, y, z, dir);
        if (n < 0 || !mask[n]) continue;
        const i = d.levels[v]! - 1, j = d.levels[n]! - 1;
        m[i * Ng + j]!++;
        m[j * Ng + i]!++;
      }
    }
  }
  return m;
}

function total(m: Float64Array): number {
  let s = 0;
  for (const c of m) s += c;
  return s;
}

/** The 25 IBSI GLCM features of one matrix, in NAMES order (grey levels i, j = 1..Ng). */
export function matrixFeatures(counts: Float64Array, Ng: number): number[] {
  const n = total(counts);
  const p = counts.map((c) => c / n);
  const pi = new Float64Array(Ng), diff = new Float64Array(Ng), sum = new Float64Array(2 * Ng + 1);
  let jointMax = 0, jointAverage = 0, jointEntropy = 0, asm = 0, contrast = 0, dissimilarity = 0, autocorrelation = 0;
  let id = 0, idn = 0, idm = 0, idmn = 0;
  for (let i = 1; i <= Ng; i++) {
    for (let j = 1; j <= Ng; j++) {
      const q = p[(i - 1) * Ng + j - 1]!;
      if (q === 0) continue;
      const k = Math.abs(i - j);
      pi[i - 1]! += q; diff[k]! += q; sum[i + j]! += q;
      jointMax = Math.max(jointMax, q); jointAverage += i * q; jointEntropy -= q * Math.log2(q); asm += q * q;
      contrast += k * k * q; dissimilarity += k * q; autocorrelation += i * j * q;
      id += q / (1 + k); idn += q / (1 + k / Ng); idm += q / (1 + k * k); idmn += q / (1 + (k * k) / (Ng * Ng));
    }
  }
  const mu = jointAverage; // symmetric matrix: the row and column marginals have the same mean and variance
  let jointVariance = 0, clusterTendency = 0, clusterShade = 0, clusterProminence = 0, covariance = 0, hxy1 = 0;
  for (let i = 1; i <= Ng; i++) {
    for (let j = 1; j <= Ng; j++) {
      const q = p[(i - 1) * Ng + j - 1]!;
      const marginal = pi[i - 1]! * pi[j - 1]!;
      if (marginal > 0) hxy1 -= q * Math.log2(marginal);
      if (q === 0) continue;
      const c = i + j - 2 * mu;
      jointVariance += (i - mu) ** 2 * q; covariance += (i - mu) * (j - mu) * q;
      clusterTendency += c * c * q; clusterShade += c ** 3 * q; clusterProminence += c ** 4 * q;
    }
  }
  let hx = 0, hxy2 = 0;
  for (let i = 0; i < Ng; i++) {
    if (pi[i]! > 0) hx -= pi[i]! * Math.log2(pi[i]!);
    for (let j = 0; j < Ng; j++) if (pi[i]! * pi[j]! > 0) hxy2 -= pi[i]! * pi[j]! * Math.log2(pi[i]! * pi[j]!);
  }
  const [diffAverage, diffVariance, diffEntropy] = moments(diff, 0);
  const [sumAverage, sumVariance, sumEntropy] = moments(sum, 2);
  let inverseVariance = 0;
  for (let k = 1; k < Ng; k++) inverseVariance += diff[k]! / (k * k);
  return [
    jointMax, jointAverage, jointVariance, jointEntropy, diffAverage, diffVariance, diffEntropy,
    sumAverage, sumVariance, sumEntropy, asm, contrast, dissimilarity, id, idn, idm, idmn, inverseVariance,
    covariance / jointVariance, autocorrelation, clusterTendency, clusterShade, clusterProminence,
    hx > 0 ? (jointEntropy - hxy1) / hx : 0, Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy2 - jointEntropy)))),
  ];
}

/** Mean, variance and entropy of a distribution over k = from..length − 1. */
function moments(dist: Float64Array, from: number): [number, number, number] {
  let mean = 0, variance = 0, entropy = 0;
  for (let k = from; k < dist.length; k++) mean += k * dist[k]!;
  for (let k = from; k < dist.length; k++) {
    variance += (k - mean) ** 2 * dist[k]!;
    if (dist[k]! > 0) entropy -= dist[k]! * Math.log2(dist[k]!);
  }
  return [mean, variance, entropy];
}
