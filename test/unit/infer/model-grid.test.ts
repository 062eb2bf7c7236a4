// Model grid: reorientation to LPS/RAS, resampling, and nearest-neighbour labels back onto source voxels.
import { describe, expect, it } from 'vitest';
import { labelsToSourceGrid, planModelGrid, resampleToModelGrid } from '../../../src/infer/model-grid.js';
import type { Volume } from '../../../src/infer/volume/types.js';

const ramp = (dims: [number, number, number]) =>
  Float32Array.from({ length: dims[0] * dims[1] * dims[2] }, (_, v) => v);

describe('model grid', () => {
  // Axial stack stored feet-first: k runs toward inferior (−S), so the affine's k column is negative along z.
  const dims: [number, number, number] = [4, 3, 2];
  const axialFeetFirst: Volume =
    { dims, spacing: [1, 1, 2], affine: [1, 0, 0, 10, 0, 1, 0, 20, 0, 0, -2, 30, 0, 0, 0, 1], data: ramp(dims) };

  it('flips only the axes that point against the requested orientation', () => {
    expect(planModelGrid(axialFeetFirst, { orientation: 'LPS', targetSpacing: null })).toMatchObject(
      { sourceAxis: [0, 1, 2], flip: [false, false, true], dims: [4, 3, 2] });
    expect(planModelGrid(axialFeetFirst, { orientation: 'RAS', targetSpacing: null })).toMatchObject(
      { sourceAxis: [0, 1, 2], flip: [true, true, true] });
  });

  it('permutes a coronal stack so model axes follow the patient axes', () => {
    // coronal: columns → L, rows → −S (down the screen), slices → P
    const coronal: Volume =
      { dims, spacing: [1, 1, 2], affine: [1, 0, 0, 0, 0, 0, 2, 0, 0, -1, 0, 0, 0, 0, 0, 1], data: ramp(dims) };
    const grid = planModelGrid(coronal, { orientation: 'LPS', targetSpacing: null });
    expect(grid).toMatchObject(
      { sourceAxis: [0, 2, 1], flip: [false, false, true], dims: [4, 2, 3], spacing: [1, 2, 1] });
    const image = resampleToModelGrid(coronal, grid, 'nearest');
    // model voxel (i, j, k) = source (i, k', j') with source row j' = 2 − k (flipped) and source slice k' = j
    const source = (i: number, j: number, k: number) => i + 4 * (j + 3 * k);
    expect(image[0 + 4 * (0 + 2 * 0)]).toBe(source(0, 2, 0));
    expect(image[3 + 4 * (1 + 2 * 2)]).toBe(source(3, 0, 1));
  });

  it('puts labels back so that each source voxel gets the label computed from its own value', () => {
    for (const orientation of ['LPS', 'RAS'] as const) {
      const grid = planModelGrid(axialFeetFirst, { orientation, targetSpacing: null });
      const image = resampleToModelGrid(axialFeetFirst, grid, 'trilinear');
      const modelLabels = Uint8Array.from(image, (x) => x % 7); // any per-voxel function of the value
      const back = new Uint8Array(axialFeetFirst.data.length);
      labelsToSourceGrid(modelLabels, grid, dims, back);
      expect(Array.from(back)).toEqual(Array.from(axialFeetFirst.data, (x) => x % 7));
    }
  });

  it('resamples to the target spacing with trilinear weights and maps labels back by nearest neighbour', () => {
    const fine: [number, number, number] = [8, 4, 2];
    const volume: Volume = {
      dims: fine, spacing: [0.5, 1, 1], affine: [0.5, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
      data: Float32Array.from({ length: 64 }, (_, v) => v % 8) };
    const grid = planModelGrid(volume, { orientation: 'LPS', targetSpacing: [1, 1, 1] });
    expect(grid.dims).toEqual([4, 4, 2]);
    const image = resampleToModelGrid(volume, grid, 'trilinear');
    // model voxel i covers source columns 2i and 2i+1: its centre sits halfway, so the value is their mean
    expect(Array.from(image.subarray(0, 4))).toEqual([0.5, 2.5, 4.5, 6.5]);
    const labels = new Uint8Array(64);
    labelsToSourceGrid(Uint8Array.from(image, (_, v) => v % 4), grid, fine, labels);
    expect(Array.from(labels.subarray(0, 8))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });
});
