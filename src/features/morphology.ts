// IBSI morphological features (manual section "Morphological features"): from the marching-cubes mesh of the
// morphological mask, its voxel centres, and the intensity mask for the intensity-weighted ones.
import { convexHull, covarianceEigenvalues, maximumDistance, voxelCentres } from './geometry.js';
import { marchingCubes } from './mesh.js';
import type { Feature, FeatureInput, FeatureUnit } from './types.js';

/** Moran's I and Geary's C compare every voxel pair: above this many voxels they are left out (IBSI allows
 *  approximating them; this stage does not, so as not to report a sampled value as if exact). */
export const SPATIAL_AUTOCORRELATION_MAX_VOXELS = 4000;

export function morphologyFeatures(input: FeatureInput): Feature[] {
  const { image, morphMask, intensityMask, dims, spacing } = input;
  const mesh = marchingCubes(morphMask, dims, spacing);
  const V = mesh.volume, A = mesh.area;
  const centres = voxelCentres(morphMask, dims, spacing);
  const voxelCount = centres.length / 3;
  const [l1, l2, l3] = covarianceEigenvalues(centres);
  const hull = convexHull(mesh.vertices);
  const box = aabbSize(mesh.vertices);
  const [a, b, c] = [2 * Math.sqrt(l1), 2 * Math.sqrt(l2), 2 * Math.sqrt(l3)]; // enclosing-ellipsoid semi-axes
  const { mean: meanIntensity } = intensityMoments(image, intensityMask);
  const f: Feature[] = [];
  const add = (id: string, name: string, value: number, unit: FeatureUnit) =>
    f.push({ id, name, family: 'morphology', value, unit });
  add('RNU0', 'Volume (mesh)', V, 'mm3');
  add('YEKZ', 'Volume (voxel counting)', voxelCount * spacing[0] * spacing[1] * spacing[2], 'mm3');
  add('C0JK', 'Surface area (mesh)', A, 'mm2');
  add('2PR5', 'Surface to volume ratio', A / V, '/mm');
  add('SKGS', 'Compactness 1', V / (Math.sqrt(Math.PI) * A ** 1.5), '1');
  add('BQWJ', 'Compactness 2', (36 * Math.PI * V * V) / A ** 3, '1');
  add('KRCK', 'Spherical disproportion', A / Math.cbrt(36 * Math.PI * V * V), '1');
  add('QCFX', 'Sphericity', Math.cbrt(36 * Math.PI * V * V) / A, '1');
  add('25C7', 'Asphericity', Math.cbrt(A ** 3 / (36 * Math.PI * V * V)) - 1, '1');
  add('KLMA', 'Centre of mass shift', centreOfMassShift(centres, input), 'mm');
  add('L0JK', 'Maximum 3D diameter', maximumDistance(mesh.vertices, hull.hullVertices), 'mm');
  add('TDIC', 'Major axis length', 4 * Math.sqrt(l1), 'mm');
  add('P9VJ', 'Minor axis length', 4 * Math.sqrt(l2), 'mm');
  add('7J51', 'Least axis length', 4 * Math.sqrt(l3), 'mm');
  add('Q3CK', 'Elongation', Math.sqrt(l2 / l1), '1');
  add('N17B', 'Flatness', Math.sqrt(l3 / l1), '1');
  add('PBX1', 'Volume density (axis-aligned bounding box)', V / (box[0] * box[1] * box[2]), '1');
  const boxArea = 2 * (box[0] * box[1] + box[1] * box[2] + box[0] * box[2]);
  add('R59B', 'Area density (axis-aligned bounding box)', A / boxArea, '1');
  add('6BDE', 'Volume density (approximate enclosing ellipsoid)', V / ((4 * Math.PI / 3) * a * b * c), '1');
  add('RDD2', 'Area density (approximate enclosing ellipsoid)', A / ellipsoidArea(a, b, c), '1');
  add('R3ER', 'Volume density (convex hull)', V / hull.volume, '1');
  add('7T7F', 'Area density (convex hull)', A / hull.area, '1');
  add('99N0', 'Integrated intensity', V * meanIntensity, 'mm3·intensity');
  const intensityCentres = voxelCentres(intensityMask, dims, spacing);
  if (intensityCentres.length / 3 <= SPATIAL_AUTOCORRELATION_MAX_VOXELS) {
    const { moran, geary } = spatialAutocorrelation(intensityCentres, maskedValues(image, intensityMask));
    add('N365', 'Moran\'s I index', moran, '1');
    add('NPT7', 'Geary\'s C measure', geary, '1');
  }
  return f;
}

function aabbSize(v: Float64Array): [number, number, number] {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let k = 0; k < v.length; k++) {
    const i = k % 3;
    if (v[k]! < lo[i]!) lo[i] = v[k]!;
    if (v[k]! > hi[i]!) hi[i] = v[k]!;
  }
  return [hi[0]! - lo[0]!, hi[1]! - lo[1]!, hi[2]! - lo[2]!];
}

/** Distance between the morphological mask's geometric centre and the intensity-weighted centre of the
 *  intensity mask. */
function centreOfMassShift(morphCentres: Float64Array, input: FeatureInput): number {
  const n = morphCentres.length / 3;
  const geo = [0, 0, 0];
  for (let k = 0; k < morphCentres.length; k++) geo[k % 3]! += morphCentres[k]! / n;
  const [Z, Y, X] = input.dims;
  const weighted = [0, 0, 0];
  let total = 0;
  for (let z = 0, v = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!input.intensityMask[v]) continue;
        const w = input.image[v]!;
        total += w;
        weighted[0]! += w * x * input.spacing[2]; weighted[1]! += w * y * input.spacing[1];
        weighted[2]! += w * z * input.spacing[0];
      }
    }
  }
  return Math.hypot(geo[0]! - weighted[0]! / total, geo[1]! - weighted[1]! / total, geo[2]! - weighted[2]! / total);
}

/** Surface of the ellipsoid with semi-axes a ≥ b ≥ c: the Legendre series of the IBSI manual, 20 terms. */
function ellipsoidArea(a: number, b: number, c: number): number {
  const alpha = Math.sqrt(1 - (b * b) / (a * a)), beta = Math.sqrt(1 - (c * c) / (a * a));
  const ab = alpha * beta;
  if (ab === 0) return 4 * Math.PI * a * b;
  const x = (alpha * alpha + beta * beta) / (2 * ab);
  let sum = 0, previous = 0, legendre = 1; // P_{ν-1}, P_ν
  for (let nu = 0; nu <= 20; nu++) {
    sum += (ab ** nu / (1 - 4 * nu * nu)) * legendre;
    const next = ((2 * nu + 1) * x * legendre - nu * previous) / (nu + 1);
    previous = legendre; legendre = next;
  }
  return 4 * Math.PI * a * b * sum;
}

function maskedValues(image: Float32Array, mask: Uint8Array): Float64Array {
  const out: number[] = [];
  for (let v = 0; v < mask.length; v++) if (mask[v]) out.push(image[v]!);
  return Float64Array.from(out);
}

function intensityMoments(image: Float32Array, mask: Uint8Array): { mean: number } {
  let sum = 0, n = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) { sum += image[v]!; n++; }
  return { mean: sum / n };
}

/** Moran's I and Geary's C with inverse-distance weights over all voxel pairs. The pair loop (millions of pairs)
 *  reads voxel k's coordinates and deviation once per row; every sum is taken in the same order, so the values are
 *  bit for bit those of the plain double loop. */
function spatialAutocorrelation(c: Float64Array, x: Float64Array): { moran: number; geary: number } {
  const n = x.length;
  let mean = 0;
  for (const v of x) mean += v / n;
  let wSum = 0, cross = 0, squaredDiff = 0, variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  const deviation = x.map((v) => v - mean);
  for (let k = 0; k < n; k++) {
    const cx = c[3 * k]!, cy = c[3 * k + 1]!, cz = c[3 * k + 2]!, xk = x[k]!, dk = deviation[k]!;
    for (let l = k + 1; l < n; l++) {
      const dx = cx - c[3 * l]!, dy = cy - c[3 * l + 1]!, dz = cz - c[3 * l + 2]!;
      const w = 1 / Math.sqrt(dx * dx + dy * dy + dz * dz); // not Math.hypot: millions of pairs, and hypot is slow
      const d = xk - x[l]!;
      wSum += 2 * w;
      cross += 2 * w * dk * deviation[l]!;
      squaredDiff += 2 * w * (d * d); // x ** 2 is x * x (fdlibm's pow returns x * x for y = 2)
    }
  }
  return { moran: (n / wSum) * (cross / variance), geary: ((n - 1) / (2 * wSum)) * (squaredDiff / variance) };
}
