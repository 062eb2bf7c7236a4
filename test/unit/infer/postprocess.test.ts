// Activation and discretisation of network outputs, the manifest's intensity steps, and applicability checks.
import { describe, expect, it } from 'vitest';
import { applyIntensitySteps } from '../../../src/infer/pipeline.js';
import { discretize } from '../../../src/infer/postprocess.js';
import { applicabilityProblems } from '../../../src/infer/applicability.js';
import { testManifest } from './helpers.js';

describe('postprocessing', () => {
  // three voxels, channel-major: channel c of voxel v at c * 3 + v
  const twoChannels = Float32Array.from([2, -1, 0.2, /* channel 1 */ 1, 3, 0.1]);

  it('takes the argmax channel as the label', () => {
    expect(Array.from(discretize(twoChannels, 2, 'logits',
      { activation: 'softmax', discretize: 'argmax' }))).toEqual([0, 1, 0]);
  });

  it('thresholds sigmoid probabilities of a single channel', () => {
    const logits = Float32Array.from([-3, 0.1, 5, -0.1]); // sigmoid: 0.047, 0.525, 0.993, 0.475
    expect(Array.from(discretize(logits, 1, 'logits',
      { activation: 'sigmoid', discretize: 'threshold', threshold: 0.5 }))).toEqual([0, 1, 1, 0]);
    expect(Array.from(discretize(logits, 1, 'logits',
      { activation: 'sigmoid', discretize: 'threshold', threshold: 0.9 }))).toEqual([0, 0, 1, 0]);
  });

  it('labels several thresholded channels with the highest channel above the threshold, plus one', () => {
    const probabilities = Float32Array.from([0.9, 0.2, 0.7, /* channel 1 */ 0.8, 0.1, 0.3]);
    expect(Array.from(discretize(probabilities, 2, 'probabilities',
      { activation: 'none', discretize: 'threshold', threshold: 0.5 }))).toEqual([2, 0, 1]);
  });

  it('rounds and clamps a label map output', () => {
    expect(Array.from(discretize(Float32Array.from([0, 1.0000001, 2, 300, -4]), 1, 'labelmap',
      { activation: 'none', discretize: 'none' }))).toEqual([0, 1, 2, 255, 0]);
  });
});

describe('intensity steps', () => {
  it('clips, scales and shifts in manifest order', () => {
    const image = Float32Array.from([-2000, 0, 500, 4000]);
    applyIntensitySteps(image, [{ op: 'clip', min: -1000, max: 1000 }, { op: 'scaleShift', scale: 0.001, shift: 1 }]);
    expect(Array.from(image)).toEqual([0, 1, 1.5, 2]);
  });

  it('z-scores with the volume statistics or with fixed ones', () => {
    const image = Float32Array.from([1, 3, 5, 7]); // mean 4, population std √5
    applyIntensitySteps(image, [{ op: 'zscore' }]);
    expect(Array.from(image).map((x) => Number(x.toFixed(5)))).toEqual(
      [-3, -1, 1, 3].map((x) => Number((x / Math.sqrt(5)).toFixed(5))));
    const fixed = Float32Array.from([10, 20]);
    applyIntensitySteps(fixed, [{ op: 'zscore', mean: 10, std: 5 }]);
    expect(Array.from(fixed)).toEqual([0, 2]);
  });
});

describe('applicability', () => {
  const manifest = testManifest('m',
    { applicability: { modalities: ['CT'], minSlices: 20, maxSliceSpacing: 5, bodyParts: ['CHEST'] } });

  it('accepts a fitting series and explains each unmet condition', () => {
    expect(applicabilityProblems(manifest,
      { modality: 'CT', slices: 100, sliceSpacingMm: 1, bodyPart: 'chest' })).toEqual([]);
    expect(applicabilityProblems(manifest, { modality: 'CT', slices: 100, sliceSpacingMm: 1 })).toEqual([]);
    expect(applicabilityProblems(manifest,
      { modality: 'MR', slices: 3, sliceSpacingMm: 7.5, bodyPart: 'HEAD' })).toEqual([
      'modality MR is not one of CT', '3 slices, the model needs at least 20', 'slice spacing 7.5 mm exceeds 5 mm',
      'body part HEAD is not one of CHEST',
    ]);
  });
});
