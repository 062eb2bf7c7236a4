// Deterministic noise for the anatomical phantoms: per-voxel quantum noise and smooth tissue texture.

/** A hash of three integers and a seed, uniform in [0, 1). */
export function hash01(a: number, b: number, c: number, seed: number): number {
  let h = Math.imul(a ^ Math.imul(seed, 0x27d4eb2d), 0x9e3779b1);
  h = Math.imul(h ^ (b + 0x7f4a7c15), 0x85ebca77);
  h = Math.imul(h ^ (c + 0x165667b1), 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
}

/** Roughly Gaussian noise with standard deviation `sigma` (sum of three uniforms), fixed per voxel index. */
export function voxelNoise(i: number, j: number, k: number, sigma: number, seed: number): number {
  const u = hash01(i, j, k, seed) + hash01(i, j, k, seed + 1) + hash01(i, j, k, seed + 2) - 1.5;
  return u * 2 * sigma; // three uniforms on [0,1) have variance 1/4
}

/** Smooth value noise in [-1, 1] over mm coordinates with features of about `scaleMm`. */
export function texture(x: number, y: number, z: number, scaleMm: number, seed: number): number {
  const fx = x / scaleMm, fy = y / scaleMm, fz = z / scaleMm;
  const x0 = Math.floor(fx), y0 = Math.floor(fy), z0 = Math.floor(fz);
  const tx = smooth(fx - x0), ty = smooth(fy - y0), tz = smooth(fz - z0);
  let sum = 0;
  for (let c = 0; c < 8; c++) {
    const dx = c & 1, dy = (c >> 1) & 1, dz = c >> 2;
    const w = (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty) * (dz ? tz : 1 - tz);
    sum += w * hash01(x0 + dx, y0 + dy, z0 + dz, seed);
  }
  return sum * 2 - 1;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}
