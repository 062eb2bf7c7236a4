// IBSI's by-slice aggregation of texture matrices (GLCM, GLRLM) over the 4 in-plane directions: "2D, averaged"
// (features of every slice × direction matrix, averaged), "2D, slice-merged" (directions merged per slice, features
// averaged over slices), "2.5D, direction-merged" (slices merged per direction, averaged over directions) and
// "2.5D, merged" (one matrix of everything).
import type { TextureAggregation } from './types.js';

export type SliceAggregation = '2D, averaged' | '2D, slice-merged' | '2.5D, direction-merged' | '2.5D, merged';
export const SLICE_AGGREGATIONS: SliceAggregation[] =
  ['2D, averaged', '2D, slice-merged', '2.5D, direction-merged', '2.5D, merged'];

/** The in-plane directions (dz = 0) among DIRECTIONS_3D. */
export const IN_PLANE_DIRECTIONS: ReadonlyArray<readonly [number, number, number]> =
  [[0, 0, 1], [0, 1, 0], [0, 1, 1], [0, 1, -1]];

export interface SliceMatrices<M> {
  /** Slices with ROI voxels, and their voxel counts (for run percentages). */
  slices: { z: number; voxels: number }[];
  /** Matrix of one slice and in-plane direction (index into IN_PLANE_DIRECTIONS). */
  matrix: (z: number, direction: number) => M;
  merge: (ms: M[]) => M;
  /** Feature values of a matrix over that many voxels; undefined for an empty matrix (not averaged in). */
  features: (m: M, voxels: number) => number[] | undefined;
}

export function sliceAggregations<M>(s: SliceMatrices<M>,
  wanted: TextureAggregation[]): Map<SliceAggregation, number[]> {
  const out = new Map<SliceAggregation, number[]>();
  const dirs = IN_PLANE_DIRECTIONS.length;
  const want = SLICE_AGGREGATIONS.filter((a) => wanted.includes(a));
  if (want.length === 0 || s.slices.length === 0) return out;
  const m = s.slices.map(({ z }) => IN_PLANE_DIRECTIONS.map((_, k) => s.matrix(z, k)));
  const total = s.slices.reduce((a, x) => a + x.voxels, 0);
  const mean = (vs: (number[] | undefined)[]) => {
    const ok = vs.filter((v): v is number[] => v !== undefined);
    return ok.length ? ok[0]!.map((_, k) => ok.reduce((a, v) => a + v[k]!, 0) / ok.length) : undefined;
  };
  const put = (a: SliceAggregation, v: number[] | undefined) => { if (v && want.includes(a)) out.set(a, v); };
  put('2D, averaged', mean(s.slices.flatMap(({ voxels }, i) => m[i]!.map((x) => s.features(x, voxels)))));
  put('2D, slice-merged', mean(s.slices.map(({ voxels }, i) => s.features(s.merge(m[i]!), voxels * dirs))));
  const byDirection = IN_PLANE_DIRECTIONS.map((_, k) => s.merge(m.map((row) => row[k]!)));
  put('2.5D, direction-merged', mean(byDirection.map((x) => s.features(x, total))));
  put('2.5D, merged', s.features(s.merge(m.flat()), total * dirs));
  return out;
}

/** Slices (z) holding ROI voxels, with their counts. */
export function roiSlices(mask: Uint8Array, dims: readonly [number, number, number]): { z: number; voxels: number }[] {
  const [Z, Y, X] = dims;
  const out: { z: number; voxels: number }[] = [];
  for (let z = 0; z < Z; z++) {
    let n = 0;
    for (let v = z * X * Y; v < (z + 1) * X * Y; v++) if (mask[v]) n++;
    if (n > 0) out.push({ z, voxels: n });
  }
  return out;
}
