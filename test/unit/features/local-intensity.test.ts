// Local and global intensity peak on a hand-counted case: the 1 cm³ sphere (r = 6.2 mm) on a 2 mm grid.
import { describe, expect, it } from 'vitest';
import { localIntensityFeatures } from '../../../src/features/local-intensity.js';

describe('local intensity peak', () => {
  it('averages the image voxels within 6.2 mm of the brightest ROI voxel, inside the ROI or not', () => {
    // 5³ voxels of 2 mm, 7 everywhere and 107 in the centre; the ROI is the centre voxel alone. In voxel steps the
    // sphere holds a² + b² + c² ≤ 9.6; clipped to the 5³ grid that is all 125 offsets but the 8 corners (12 > 9.6).
    const image = new Float32Array(125).fill(7), mask = new Uint8Array(125);
    image[62] = 107; mask[62] = 1;
    const f = localIntensityFeatures(
      { image, morphMask: mask, intensityMask: mask, dims: [5, 5, 5], spacing: [2, 2, 2] });
    expect(f.find((x) => x.id === 'VJGA')!.value).toBeCloseTo((116 * 7 + 107) / 117, 12);
    expect(f.find((x) => x.id === '0F91')!.value).toBeCloseTo((116 * 7 + 107) / 117, 12);
  });

  it('takes the highest sphere mean of all ROI voxels for the global peak', () => {
    // a 1 × 1 × 3 row of 1 mm voxels, values 0, 10, 0 (ROI: the two ends): every sphere holds all three voxels
    const image = Float32Array.from([0, 10, 0]), mask = Uint8Array.from([1, 0, 1]);
    const f = localIntensityFeatures(
      { image, morphMask: mask, intensityMask: mask, dims: [1, 1, 3], spacing: [1, 1, 1] });
    expect(f.find((x) => x.id === '0F91')!.value).toBeCloseTo(10 / 3, 12);
  });
});
