// Every feature the stage computes has a concept and a UCUM unit the SR can encode.
import { describe, expect, it } from 'vitest';
import { featureConcept, featureUnit, IBSI_CODING_SCHEME } from '../../../src/features/codes.js';
import { ALL_FAMILIES, computeFeatures } from '../../../src/features/index.js';
import { loadPhantom } from './ibsi-phantom.js';

const HU = { scheme: 'UCUM', value: "[hnsf'U]", meaning: 'Hounsfield unit' };

describe('feature codes', () => {
  const features = computeFeatures(loadPhantom(), { families: ALL_FAMILIES,
    aggregations: ['3D, averaged', '3D, merged'], discretisation: { method: 'fixed bin number', bins: 6 } });

  it('gives each feature a code that fits an SR code item (meaning ≤ 64 characters)', () => {
    for (const f of features) {
      const c = featureConcept(f);
      expect(c.value.length, f.id).toBeGreaterThan(0);
      expect(c.meaning.length, f.name).toBeLessThanOrEqual(64);
      if (c.scheme === IBSI_CODING_SCHEME.CodingSchemeDesignator) expect(c.value).toMatch(/^[0-9A-Z]{4}$/);
    }
  });

  it('uses SNOMED CT for the quantities the SR already reports, IBSI otherwise', () => {
    const byId = (id: string) => featureConcept(features.find((f) => f.id === id)!);
    expect(byId('Q4LE')).toEqual({ scheme: 'SCT', value: '373098007', meaning: 'Mean' });
    expect(byId('RNU0')).toEqual({ scheme: 'IBSI', value: 'RNU0', meaning: 'Volume (mesh)' });
  });

  it('tells each feature apart by code, aggregation and qualifier', () => {
    const keys = features.map((f) =>
      `${featureConcept(f).scheme}:${featureConcept(f).value}|${f.aggregation ?? ''}|${f.qualifier ?? ''}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('maps units to UCUM, intensity ones to the image unit', () => {
    const unit = (id: string) => featureUnit(features.find((f) => f.id === id)!, HU).value;
    expect(unit('RNU0')).toBe('mm3');
    expect(unit('C0JK')).toBe('mm2');
    expect(unit('2PR5')).toBe('/mm');
    expect(unit('Q4LE')).toBe("[hnsf'U]");
    // UCUM exponents attach to a unit atom, not to a parenthesised term
    expect(unit('ECT3')).toBe("[hnsf'U]2");
    expect(unit('QCFX')).toBe('1');
  });
});
