// The 13 unique 3D neighbour directions (dz, dy, dx) of IBSI texture matrices at distance 1; with their opposites
// they are the 26 neighbours.
import type { GridDims } from './types.js';

export const DIRECTIONS_3D: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 1], [0, 1, 0], [0, 1, 1], [0, 1, -1], [1, 0, 0], [1, 0, 1], [1, 0, -1],
  [1, 1, 0], [1, -1, 0], [1, 1, 1], [1, 1, -1], [1, -1, 1], [1, -1, -1],
];

/** The voxel index one step from (x, y, z) along (dz, dy, dx), or -1 off the grid. */
export function step(dims: GridDims, x: number, y: number, z: number, d: readonly [number, number, number]): number {
  const [Z, Y, X] = dims;
  const xx = x + d[2], yy = y + d[1], zz = z + d[0];
  return xx < 0 || yy < 0 || zz < 0 || xx >= X || yy >= Y || zz >= Z ? -1 : xx + X * (yy + Y * zz);
}
