// Manifest validation of segments[i].features: true or a partial IBSI configuration; bad values named by path.
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../../src/infer/manifest-schema.js';
import type { SegmentDescription } from '../../../src/infer/manifest.js';
import { testManifest } from './helpers.js';

const code = { scheme: 'SCT', value: '91723000', meaning: 'Anatomical structure' };
function errorsFor(features: unknown): string[] {
  const lung: SegmentDescription = {
    labelValues: [2], label: 'Lung', category: code, type: code, colorRgb: [1, 2, 3], measurements: ['volume'],
    ...(features === undefined ? {} : { features: features as SegmentDescription['features'] }),
  };
  return validateManifest(JSON.parse(JSON.stringify(testManifest('f', { segments: [lung] })))).errors;
}

describe('manifest segment features', () => {
  it('accepts none, true (CT defaults) and a partial configuration', () => {
    expect(errorsFor(undefined)).toEqual([]);
    expect(errorsFor(true)).toEqual([]);
    expect(errorsFor(
      { families: ['morphology', 'glcm'], discretisation: { method: 'fixed bin number', bins: 32 } })).toEqual([]);
  });

  it('refuses false and bad configurations, each problem under the segment\'s path', () => {
    expect(errorsFor(false).length).toBeGreaterThan(0);
    expect(errorsFor({ families: ['shape'], resegmentation: { range: [400, -1000] } })).toEqual([
      expect.stringMatching(/^\/segments\/0\/features\/families\/0: must be one of: morphology/),
    ]);
    expect(errorsFor({ resegmentation: { range: [400, -1000] } })).toEqual([
      '/segments/0/features/resegmentation/range: lower bound must be below the upper bound',
    ]);
  });
});
