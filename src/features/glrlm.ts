// IBSI grey level run length matrix features (manual section "Grey level run length based features"): runs along
// each of the 13 3D directions, aggregated "3D, averaged" (features per direction, averaged) and "3D, merged" (one
// matrix summed over directions; its run percentage counts every voxel once per direction, as IBSI defines it).
import { DIRECTIONS_3D, step } from './directions.js';
import { IN_PLANE_DIRECTIONS, roiSlices, sliceAggregations } from './slice-aggregation.js';
import { addTo, mergeMatrices, sizeMatrix, sizeMatrixFeatures, type SizeMatrix } from './size-matrix.js';
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
    NAMES.forEach(([id, name], k) => out.push({ id, name, family: 'glrlm', aggregation, value: values[k]!, unit: '1' }));
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

/** Runs of equal grey level inside the ROI along one direction: each run is counted from its first voxel. */
export function runLengths(
  d: DiscretisedVolume, mask: Uint8Array, dir: readonly [number, number, number], slice?: number,
): SizeMatrix {
  const [Z, Y, X] = d.dims;
  const back: [number, number, number] = [-dir[0], -dir[1], -dir[2]];
  const m = sizeMatrix(d.greyLevelCount, Math.max(X, Y, Z));
  const z0 = slice ?? 0, z1 = slice === undefined ? Z : slice + 1;
  for (let z = z0, v = z0 * X * Y; z < z1; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        const level = d.levels[v]!;
        const prev = step(d.dims, x, y, z, back);
        if (prev >= 0 && mask[prev] && d.levels[prev] === level) continue; // not the start of a run
        let length = 1;
        for (let xx = x, yy = y, zz = z; ; length++, xx += dir[2], yy += dir[1], zz += dir[0]) {
          const n = step(d.dims, xx, yy, zz, dir);
          if (n < 0 || !mask[n] || d.levels[n] !== level) break;
        }
        addTo(m, level, length);
      }
    }
  }
  return m;
}
