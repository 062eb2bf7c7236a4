// Small geometric helpers for morphology: voxel centres in mm, eigenvalues of a 3×3 covariance, convex hull.
import qh from 'quickhull3d/dist/quickhull3d.js';
import { areaAndVolume } from './mesh.js';
import type { GridDims, GridSpacing } from './types.js';

/** Centres (x, y, z in mm) of the mask's voxels, 3 numbers each. */
export function voxelCentres(mask: Uint8Array, dims: GridDims, spacing: GridSpacing): Float64Array {
  const [Z, Y, X] = dims;
  let n = 0;
  for (let v = 0; v < mask.length; v++) if (mask[v]) n++;
  const out = new Float64Array(3 * n);
  for (let z = 0, v = 0, k = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        out[k++] = x * spacing[2]; out[k++] = y * spacing[1]; out[k++] = z * spacing[0];
      }
    }
  }
  return out;
}

/** Eigenvalues, largest first, of the sample covariance matrix (n − 1, as the IBSI reference) of points. */
export function covarianceEigenvalues(points: Float64Array): [number, number, number] {
  const n = points.length / 3;
  const mean = [0, 0, 0];
  for (let k = 0; k < points.length; k++) mean[k % 3]! += points[k]! / n;
  const c = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < 3; i++) {
      const di = points[3 * k + i]! - mean[i]!;
      for (let j = 0; j < 3; j++) c[i]![j]! += (di * (points[3 * k + j]! - mean[j]!)) / (n - 1);
    }
  }
  return symmetricEigenvalues(c);
}

/** Jacobi rotations: exact enough in a few sweeps for 3×3, and free of the cubic formula's cancellation. */
function symmetricEigenvalues(a: number[][]): [number, number, number] {
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < 3; p++) for (let q = p + 1; q < 3; q++) off += a[p]![q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < 3; p++) {
      for (let q = p + 1; q < 3; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1), sn = t * cs;
        for (let k = 0; k < 3; k++) { // A ← Jᵀ A J, columns then rows
          const akp = a[k]![p]!, akq = a[k]![q]!;
          a[k]![p] = cs * akp - sn * akq; a[k]![q] = sn * akp + cs * akq;
        }
        for (let k = 0; k < 3; k++) {
          const apk = a[p]![k]!, aqk = a[q]![k]!;
          a[p]![k] = cs * apk - sn * aqk; a[q]![k] = sn * apk + cs * aqk;
        }
      }
    }
  }
  const e = [a[0]![0]!, a[1]![1]!, a[2]![2]!].sort((x, y) => y - x);
  return [e[0]!, e[1]!, e[2]!];
}

/** Convex hull of the mesh vertices (quickhull3d): its area and volume, and the vertex indices on it. */
export function convexHull(vertices: Float64Array): { area: number; volume: number; hullVertices: Uint32Array } {
  const candidates = rowExtremes(vertices);
  const points = Array.from(candidates,
    (v): [number, number, number] => [vertices[3 * v]!, vertices[3 * v + 1]!, vertices[3 * v + 2]!]);
  const faces = qh(points);
  const tris: number[] = [];
  for (const f of faces) {
    for (let k = 1; k + 1 < f.length; k++) tris.push(candidates[f[0]!]!, candidates[f[k]!]!, candidates[f[k + 1]!]!);
  }
  const triangles = Uint32Array.from(tris);
  return { ...areaAndVolume(vertices, triangles), hullVertices: Uint32Array.from(new Set(tris)) };
}

/**
 * The first and last vertex of each x row (same y and z). Exact for the hull: a point between two others of its row
 * is their convex combination, so it cannot be a hull vertex; the hull is built from a fraction of the mesh.
 */
function rowExtremes(v: Float64Array): number[] {
  const rows = new Map<string, [number, number]>();
  for (let k = 0; k < v.length / 3; k++) {
    const key = `${v[3 * k + 1]},${v[3 * k + 2]}`;
    const row = rows.get(key);
    if (!row) rows.set(key, [k, k]);
    else {
      if (v[3 * k]! < v[3 * row[0]]!) row[0] = k;
      if (v[3 * k]! > v[3 * row[1]]!) row[1] = k;
    }
  }
  return [...new Set([...rows.values()].flat())];
}

/** Largest distance between any two of the given vertices (the maximum 3D diameter lies on the convex hull). */
export function maximumDistance(vertices: Float64Array, among: Uint32Array): number {
  let best = 0;
  for (let i = 0; i < among.length; i++) {
    const a = 3 * among[i]!;
    for (let j = i + 1; j < among.length; j++) {
      const b = 3 * among[j]!;
      const d = (vertices[a]! - vertices[b]!) ** 2 + (vertices[a + 1]! - vertices[b + 1]!) ** 2
        + (vertices[a + 2]! - vertices[b + 2]!) ** 2;
      if (d > best) best = d;
    }
  }
  return Math.sqrt(best);
}
