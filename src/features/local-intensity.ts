// IBSI local intensity features: the mean intensity in a 1 cm³ sphere around a voxel (all image voxels whose centre
// lies in the sphere, in the ROI or not), at the ROI's brightest voxel (local peak) and at best over the ROI (global).
import type { Feature, FeatureInput } from './types.js';

/** Radius (mm) of a sphere of 1 cm³. */
const PEAK_RADIUS_MM = Math.cbrt(3000 / (4 * Math.PI));

export function localIntensityFeatures(input: FeatureInput): Feature[] {
  const { image, intensityMask: mask } = input;
  const sphereMean = sphereMeans(input);
  let maxIntensity = -Infinity;
  for (let v = 0; v < mask.length; v++) if (mask[v] && image[v]! > maxIntensity) maxIntensity = image[v]!;
  let local = -Infinity, global = -Infinity;
  for (let v = 0; v < mask.length; v++) {
    if (!mask[v]) continue;
    const m = sphereMean(v);
    if (m > global) global = m;
    if (image[v] === maxIntensity && m > local) local = m; // ties on the maximum: the highest peak
  }
  return [
    { id: 'VJGA', name: 'Local intensity peak', family: 'local intensity', value: local, unit: 'intensity' },
    { id: '0F91', name: 'Global intensity peak', family: 'local intensity', value: global, unit: 'intensity' },
  ];
}

/**
 * The sphere as rows: for each (dz, dy) in reach, the half-width of the x run inside the sphere. With prefix sums
 * along x, a voxel's sphere sum costs one subtraction per row instead of one addition per voxel.
 */
function sphereMeans({ image, dims, spacing }: FeatureInput): (v: number) => number {
  const [Z, Y, X] = dims;
  const rows: { dz: number; dy: number; half: number }[] = [];
  const rz = Math.floor(PEAK_RADIUS_MM / spacing[0]), ry = Math.floor(PEAK_RADIUS_MM / spacing[1]);
  for (let dz = -rz; dz <= rz; dz++) {
    for (let dy = -ry; dy <= ry; dy++) {
      const left = PEAK_RADIUS_MM ** 2 - (dz * spacing[0]) ** 2 - (dy * spacing[1]) ** 2;
      if (left >= 0) rows.push({ dz, dy, half: Math.floor(Math.sqrt(left) / spacing[2] + 1e-9) });
    }
  }
  // prefix sums along x of every row at once: prefix[row·(X + 1) + x] = Σ image[row·X .. row·X + x − 1]
  const prefix = new Float64Array(Z * Y * (X + 1));
  for (let row = 0; row < Z * Y; row++) {
    for (let x = 0, p = row * (X + 1), base = row * X; x < X; x++)
      prefix[p + x + 1] = prefix[p + x]! + image[base + x]!;
  }
  return (v: number) => {
    const x = v % X, y = Math.floor(v / X) % Y, z = Math.floor(v / (X * Y));
    let sum = 0, count = 0;
    for (const { dz, dy, half } of rows) {
      const zz = z + dz, yy = y + dy;
      if (zz < 0 || zz >= Z || yy < 0 || yy >= Y) continue;
      const lo = Math.max(0, x - half), hi = Math.min(X - 1, x + half);
      const p = (yy + Y * zz) * (X + 1);
      sum += prefix[p + hi + 1]! - prefix[p + lo]!;
      count += hi - lo + 1;
    }
    return sum / count;
  };
}
