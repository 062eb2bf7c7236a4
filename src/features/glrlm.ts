// IBSI grey level run length matrix features (manual section "Grey level run length based features"): runs along
// each of the 13 3D directions, aggregated "3D, averaged" (features per direction, averaged) and "3D, merged" (one
// matrix summed over directions; its run percentage counts every voxel once per direction, as IBSI defines it).
import { DIRECTIONS_3D } from './directions.js';
import { IN_PLANE_DIRECTIONS, roiSlices, sliceAggregations } from './slice-aggregation.js';
import { mergeMatrices, sizeMatrix, sizeMatrixFeatures, type SizeMatrix } from './size-matrix.js';
import type { DiscretisedVolume, Feature, TextureAggregation } from './types.js';

const NAMES: [string, string][] = [
  ['22OV', 'Short runs emphasis'], ['W4KF', 'Long runs emphasis'], ['V3SW', 'Low grey level run emphasis'],
  ['G3QZ', 'High grey level run emphasis'], ['HTZT', 'Short run low grey level emphasis'],
  ['GD3A', 'Short run high grey level emphasis'], ['IVPO', 'Long run low grey level emphasis'],
  ['3KUM', 'Long run high grey level emphasis'], ['R5YN', 'Grey level non-uniformity'],
  ['OVBL', 'Normalised grey level non-uniformity'], ['W92Y', 'Run length non-uniformity'],
  ['IC23', 'Normalised run length non-uniformity'], ['9ZK5', 'Run percentage'], ['8CE5', 'Grey level variance'],
  ['SXLW', 'Run length variance'], ['HJ9O', 'Run entropy'],
];

export function glrlmFeatures(d: DiscretisedVolume, mask: Uint8Array, aggregations: TextureAggregation[]): Feature[] {
  let voxels = 0;
  for (const m of mask) if (m) voxels++;
  const matrices = DIRECTIONS_3D.map((dir) => runLengths(d, mask, dir));
  const out: Feature[] = [];
  const emit = (aggregation: TextureAggregation, values: number[]) =>
    NAMES.forEach(([id, name], k) => out.push(
      { id, name, family: 'glrlm', aggregation, value: values[k]!, unit: '1' }));
  if (aggregations.includes('3D, averaged')) {
    const perDirection = matrices.map((m) => sizeMatrixFeatures(m, voxels));
    emit('3D, averaged', NAMES.map((_, k) => perDirection.reduce((s, f) => s + f[k]!, 0) / perDirection.length));
  }
  if (aggregations.includes('3D, merged')) {
    emit('3D, merged', sizeMatrixFeatures(mergeMatrices(matrices), voxels * matrices.length));
  }
  const bySlice = sliceAggregations({
    slices: roiSlices(mask, d.dims),
    matrix: (z, k) => runLengths(d, mask, IN_PLANE_DIRECTIONS[k]!, z),
    merge: mergeMatrices,
    features: sizeMatrixFeatures,
  }, aggregations);
  for (const [aggregation, values] of bySlice) emit(aggregation, values);
  return out;
}

/** Runs of equal grey level inside the ROI along one direction: each run is counted from its first voxel. The grid
 *  checks are inlined with the direction's index offset (13 directions × every ROI voxel: the stage's hottest loop). */
export function runLengths(
  d: DiscretisedVolume, mask: Uint8Array, dir: readonly [number, number, number], slice?: number,
): SizeMatrix {
  const [Z, Y, X] = d.dims;
  const [dz, dy, dx] = dir;
  const offset = dx + X * (dy + Y * dz);
  const levels = d.levels;
  const m = sizeMatrix(d.greyLevelCount, Math.max(X, Y, Z));
  const { counts, Nj } = m;
  const inGrid = (x: number, y: number, z: number) => x >= 0 && y >= 0 && z >= 0 && x < X && y < Y && z < Z;
  const z0 = slice ?? 0, z1 = slice === undefined ? Z : slice + 1;
  for (let z = z0, v = z0 * X * Y; z < z1; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        const level = levels[v]!;
        const prev = v - offset;
        if (inGrid(x - dx, y - dy, z - dz) && mask[prev] && levels[prev] === level) continue; // not a run's start
        let length = 1;
        for (let xx = x + dx, yy = y + dy, zz = z + dz, n = v + offset;
          inGrid(xx, yy, zz) && mask[n] && levels[n] === level; xx += dx, yy += dy, zz += dz, n += offset) length++;
        counts[(level - 1) * Nj + length - 1]!++;
      }
    }
  }
  return m;
}
