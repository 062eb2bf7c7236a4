// Defaults for images without HU: an MR-like ROI (values 500–1500) is emptied by the CT re-segmentation range, and
// measured with the arbitrary-unit defaults (no range, 32 fixed bins).
import { describe, expect, it } from 'vitest';
import {
  ARBITRARY_UNIT_FEATURE_DEFAULTS, CT_FEATURE_DEFAULTS, measureRoi, resolveFeatureConfig,
} from '../../../src/features/index.js';

const dims = [10, 10, 10] as const;
const image = Float32Array.from({ length: 1000 }, (_, v) => 500 + ((v * 37) % 1000));
const mask = Uint8Array.from({ length: 1000 }, (_, v) => {
  const [x, y, z] = [v % 10, Math.floor(v / 10) % 10, Math.floor(v / 100)];
  return x > 1 && x < 8 && y > 1 && y < 8 && z > 1 && z < 8 ? 1 : 0;
});
const roi = { image, mask, dims, spacing: [2, 2, 2] as const };

describe('arbitrary-unit feature defaults', () => {
  it('the CT range leaves nothing of an MR-like ROI', () => {
    expect(() => measureRoi(roi, CT_FEATURE_DEFAULTS)).toThrow(/no ROI voxel is left after re-segmentation/);
  });

  it('measure it with 32 fixed bins and no range, and merge a rule\'s partial configuration over them', () => {
    const f = measureRoi(roi, ARBITRARY_UNIT_FEATURE_DEFAULTS);
    const mean = f.find((x) => x.id === 'Q4LE')!.value;
    expect(mean).toBeGreaterThan(500);
    expect(f.find((x) => x.id === 'BJ5W')).toBeDefined(); // histogram uniformity, from the discretised levels
    const resolved = resolveFeatureConfig({ families: ['morphology'] }, ARBITRARY_UNIT_FEATURE_DEFAULTS);
    expect(resolved).toMatchObject(
      { ok: true, config: { discretisation: { method: 'fixed bin number', bins: 32 }, families: ['morphology'] } });
  });
});
