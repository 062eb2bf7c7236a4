// Processing configuration (CT defaults, partial configs, every problem by path), IBSI grid-aligned resampling and
// re-segmentation, on hand-computed cases.
import { describe, expect, it } from 'vitest';
import { CT_FEATURE_DEFAULTS, resolveFeatureConfig } from '../../../src/features/config.js';
import { prepareRoi, resegment } from '../../../src/features/prepare.js';
import { resampleRoi } from '../../../src/features/resample.js';
import { cropAround } from '../../../src/features/crop.js';
import { measureRoi } from '../../../src/features/index.js';
import type { RoiVolume } from '../../../src/features/types.js';

const row = (values: number[], mask: number[], spacing = 1): RoiVolume =>
  ({ image: Float32Array.from(values), mask: Uint8Array.from(mask),
    dims: [1, 1, values.length], spacing: [1, 1, spacing] });

describe('feature configuration', () => {
  it('defaults to IBSI configuration C for CT', () => {
    const r = resolveFeatureConfig(undefined);
    expect(r.ok && r.config).toEqual(CT_FEATURE_DEFAULTS);
    expect(CT_FEATURE_DEFAULTS.resegmentation.range).toEqual([-1000, 400]);
    expect(CT_FEATURE_DEFAULTS.discretisation).toEqual({ method: 'fixed bin size', binWidth: 25 });
    expect(CT_FEATURE_DEFAULTS.resampling).toMatchObject(
      { spacingMm: 2, interpolation: 'trilinear', partialVolumeThreshold: 0.5 });
  });

  it('merges a partial configuration over the defaults, and null turns resampling off', () => {
    const r = resolveFeatureConfig({ resampling: { spacingMm: 1 }, resegmentation: { outlierSigma: 3 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.resampling).toEqual({ ...CT_FEATURE_DEFAULTS.resampling, spacingMm: 1 });
    expect(r.config.resegmentation).toEqual({ range: [-1000, 400], outlierSigma: 3 });
    const off = resolveFeatureConfig({ resampling: null });
    expect(off.ok && off.config.resampling).toBeNull();
  });

  it('reports every schema problem with its path', () => {
    const r = resolveFeatureConfig(
      { resampling: { spacingMm: -1, interpolation: 'cubic' }, families: ['shape'], colour: 'red' });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/resampling/spacingMm', '/resampling/interpolation', '/families/0', '/colour']));
  });

  it('asks for every resampling key when the defaults do not resample', () => {
    const r = resolveFeatureConfig({ resampling: { spacingMm: 1 } }, { ...CT_FEATURE_DEFAULTS, resampling: null });
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['/resampling/interpolation',
      '/resampling/maskInterpolation', '/resampling/partialVolumeThreshold', '/resampling/roundIntensities']);
  });

  it('reports what the schema cannot: a reversed range, a missing bin width, a lower bound above the range', () => {
    const reversed = resolveFeatureConfig(
      { resegmentation: { range: [400, -1000] }, discretisation: { method: 'fixed bin size' } });
    expect(reversed.ok ? [] : reversed.problems.map((p) => p.path)).toEqual(
      ['/resegmentation/range', '/discretisation/binWidth']);
    const above = resolveFeatureConfig(
      { discretisation: { method: 'fixed bin size', binWidth: 10, lowerBound: -500 } });
    expect(above.ok ? [] : above.problems.map((p) => p.path)).toEqual(['/discretisation/lowerBound']);
  });
});

describe('resampling with IBSI grid alignment', () => {
  const config = { spacingMm: 2, interpolation: 'trilinear' as const, maskInterpolation: 'trilinear' as const,
    partialVolumeThreshold: 0.5, roundIntensities: false };

  it('centres the new grid on the old: 4 voxels of 1 mm become 2 of 2 mm at old positions 0.5 and 2.5', () => {
    const out = resampleRoi(row([0, 10, 20, 30], [1, 1, 1, 1]), config);
    expect(out.dims).toEqual([1, 1, 2]);
    expect([...out.image]).toEqual([5, 25]);
    expect(out.spacing).toEqual([2, 2, 2]);
  });

  it('upsamples 5 voxels of 2 mm to 10 of 1 mm, from old position −0.25 (edge values held outside)', () => {
    const out = resampleRoi(row([0, 8, 16, 24, 32], [1, 1, 1, 1, 1], 2), { ...config, spacingMm: 1 });
    expect(out.dims[2]).toBe(10);
    expect([...out.image]).toEqual([0, 2, 6, 10, 14, 18, 22, 26, 30, 32]);
  });

  it('nearest neighbour and rounding', () => {
    const nearest = resampleRoi(row([0, 10, 20, 31], [1, 1, 1, 1]), { ...config, interpolation: 'nearest' });
    expect([...nearest.image]).toEqual([10, 31]); // Math.round(0.5) = 1, Math.round(2.5) = 3
    const rounded = resampleRoi(row([0, 1, 2, 3], [1, 1, 1, 1]), { ...config, roundIntensities: true });
    expect([...rounded.image]).toEqual([1, 3]); // 0.5 → 1, 2.5 → 3
  });

  it('keeps mask voxels whose interpolated mask reaches the partial-volume threshold', () => {
    const roi = row([0, 0, 0, 0, 0, 0], [0, 1, 1, 1, 0, 0]);
    // new voxels at old positions 0.5, 2.5, 4.5: mask values 0.5, 1, 0
    expect([...resampleRoi(roi, config).mask]).toEqual([1, 1, 0]);
    expect([...resampleRoi(roi, { ...config, partialVolumeThreshold: 0.6 }).mask]).toEqual([0, 1, 0]);
  });
});

describe('cropping a segment out of a series', () => {
  /** 40 × 30 × 50 grid (z, y, x) of 1.5 × 0.8 × 0.7 mm with a smooth image and a ball of label 2 off centre. */
  function series() {
    const dims = [40, 30, 50] as const, spacing = [1.5, 0.8, 0.7] as const;
    const image = new Float32Array(dims[0] * dims[1] * dims[2]), labels = new Uint8Array(image.length);
    for (let z = 0, v = 0; z < dims[0]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[2]; x++, v++) {
      image[v] = 3 * x + 7 * y - 5 * z + ((x * y + z) % 11);
      if ((z - 28) ** 2 * 2.25 + (y - 12) ** 2 * 0.64 + (x - 30) ** 2 * 0.49 < 36) labels[v] = 2;
    }
    return { image, labels, dims, spacing };
  }

  it('keeps the segment and its margin, and remembers the offset', () => {
    const s = series();
    const roi = cropAround(s.image, s.labels, [2], s.dims, s.spacing);
    expect(roi.crop!.fullDims).toEqual(s.dims);
    expect(roi.mask.reduce((a, m) => a + m, 0)).toBe(s.labels.filter((l) => l === 2).length);
    expect(roi.dims[2]).toBeLessThan(s.dims[2]);
    const [oz, oy, ox] = roi.crop!.offset, [, Y, X] = s.dims;
    expect(roi.image[0]).toBe(s.image[ox + X * (oy + Y * oz)]);
  });

  it('resamples the crop on the same grid as the whole series (IBSI alignment survives the crop)', () => {
    const s = series();
    const config = { spacingMm: 1, interpolation: 'trilinear' as const, maskInterpolation: 'trilinear' as const,
      partialVolumeThreshold: 0.5, roundIntensities: false };
    const whole = resampleRoi({ image: s.image, mask: Uint8Array.from(s.labels, (l) => (l === 2 ? 1 : 0)),
      dims: s.dims, spacing: s.spacing }, config);
    const cropped = resampleRoi(cropAround(s.image, s.labels, [2], s.dims, s.spacing), config);
    expect(cropped.dims).toEqual(whole.dims);
    expect([...cropped.mask]).toEqual([...whole.mask]);
    expect(Math.max(...cropped.image.map((v, k) => Math.abs(v - whole.image[k]!)))).toBeLessThan(1e-3);
  });

  it('refuses a label that has no voxel', () => {
    const s = series();
    expect(() => cropAround(s.image, s.labels, [5], s.dims, s.spacing)).toThrow(
      expect.objectContaining({ code: 'FEAT_EMPTY_ROI' }));
  });
});

describe('re-segmentation', () => {
  it('narrows the intensity mask to the range, inclusive, and leaves the morphological mask', () => {
    const roi = row([-1200, -1000, 0, 400, 401, 50], [1, 1, 1, 1, 1, 0]);
    const input = prepareRoi(roi, { ...CT_FEATURE_DEFAULTS, resampling: null });
    expect([...input.intensityMask]).toEqual([0, 1, 1, 1, 0, 0]);
    expect([...input.morphMask]).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('drops outliers beyond n standard deviations of the ROI mean', () => {
    const values = [10, 10, 10, 10, 10, 10, 10, 10, 10, 1000];
    const kept = resegment(Float32Array.from(values), new Uint8Array(10).fill(1), { range: null, outlierSigma: 2 });
    // mean 109, SD 297: 1000 is 3 SD out
    expect([...kept]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it('starts fixed bins at the range lower bound: HU −1000..−976 is grey level 1', () => {
    const roi: RoiVolume = { image: Float32Array.from([-990, -960, -990, -960, -990, -960, -990, -960]),
      mask: new Uint8Array(8).fill(1), dims: [2, 2, 2], spacing: [1, 1, 1] };
    const f = measureRoi(roi, { ...CT_FEATURE_DEFAULTS, resampling: null, families: ['intensity histogram'] });
    expect(f.find((x) => x.id === '1PR8')!.value).toBe(1);
    expect(f.find((x) => x.id === '3NCY')!.value).toBe(2);
  });
});
