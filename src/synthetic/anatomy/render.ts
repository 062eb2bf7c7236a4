// Samples an anatomy on a CT grid: HU with noise, reconstruction-circle padding, and the exact body and lung masks.
import { BODY_TISSUES, huOf, LUNG_TISSUES, type Tissue } from './tissue.js';

/** Where the scanner reconstructed: a square field of view, slice positions, and what lies outside the circle. */
export interface ScanGrid {
  /** side of the square field of view in mm, centred on (centreX, centreY) */
  fovMm: number;
  centreX: number;
  centreY: number;
  /** pixels per row and column */
  matrix: number;
  /** z (mm) of the first slice, slice spacing, slice count; slices go up (+z) */
  firstZ: number;
  sliceMm: number;
  slices: number;
  /** pixels outside the reconstruction circle (inscribed in the square) get this value, e.g. −2000 or −3024 */
  paddingHu?: number;
}

export interface AnatomicalPhantom {
  name: string;
  description: string;
  /** HU; index = i + columns * (j + rows * k), i → patient left, j → back, k → up */
  hu: Int16Array;
  bodyMask: Uint8Array;
  lungMask: Uint8Array;
  dims: [number, number, number];
  spacing: [number, number, number];
  /** LPS position of voxel (0, 0, 0) */
  origin: [number, number, number];
}

export type Anatomy = (x: number, y: number, z: number) => Tissue;

export function renderPhantom(
  name: string, description: string, anatomy: Anatomy, grid: ScanGrid, seed = 1,
): AnatomicalPhantom {
  const n = grid.matrix;
  const pixel = grid.fovMm / n;
  const voxels = n * n * grid.slices;
  const hu = new Int16Array(voxels);
  const bodyMask = new Uint8Array(voxels);
  const lungMask = new Uint8Array(voxels);
  const x0 = grid.centreX - grid.fovMm / 2 + pixel / 2;
  const y0 = grid.centreY - grid.fovMm / 2 + pixel / 2;
  const circle2 = (grid.fovMm / 2) ** 2;
  for (let k = 0, v = 0; k < grid.slices; k++) {
    const z = grid.firstZ + k * grid.sliceMm;
    for (let j = 0; j < n; j++) {
      const y = y0 + j * pixel;
      for (let i = 0; i < n; i++, v++) {
        const x = x0 + i * pixel;
        if (grid.paddingHu !== undefined && (x - grid.centreX) ** 2 + (y - grid.centreY) ** 2 > circle2) {
          hu[v] = grid.paddingHu;
          continue;
        }
        const t = anatomy(x, y, z);
        hu[v] = Math.round(Math.max(-1024, huOf(t, x, y, z, i, j, k, seed)));
        if (BODY_TISSUES.has(t)) bodyMask[v] = 1;
        if (LUNG_TISSUES.has(t)) lungMask[v] = 1;
      }
    }
  }
  return {
    name, description, hu, bodyMask, lungMask, dims: [n, n, grid.slices], spacing: [pixel, pixel, grid.sliceMm],
    origin: [x0, y0, grid.firstZ],
  };
}

/** Millilitres of a mask. */
export function maskMl(mask: Uint8Array, spacing: [number, number, number]): number {
  let count = 0;
  for (let v = 0; v < mask.length; v++) count += mask[v];
  return (count * spacing[0] * spacing[1] * spacing[2]) / 1000;
}
