// Conformance on the IBSI 1 digital phantom: every implemented feature against the IBSI consensus reference value
// and tolerance, read from the reference CSV (never from this code's output). Prints the comparison table.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FAMILIES, computeFeatures, type Feature } from '../../../src/features/index.js';
import {
  AGGREGATIONS, compared, implemented, loadPhantom, rows, toleranceOf, type ReferenceRow,
} from './ibsi-phantom.js';

describe('IBSI 1 digital phantom', () => {
  let features: Feature[];
  const ours = (row: ReferenceRow & { qualifier?: string }) => features.find((f) => f.id === row.code
    && (f.aggregation ?? '') === row.aggregation && f.qualifier === row.qualifier)?.value;

  beforeAll(() => {
    features = computeFeatures(loadPhantom(), {
      families: ALL_FAMILIES,
      aggregations: AGGREGATIONS,
      // the phantom's grey levels are used as they are: fixed bin number 6 over [1, 6] maps each value to itself
      discretisation: { method: 'fixed bin number', bins: 6 },
    });
  });

  it('reads the phantom as the IBSI manual describes it (74 ROI voxels of 2 mm, values 1, 3, 4, 6 inside)', () => {
    const p = loadPhantom();
    expect(p.dims).toEqual([4, 4, 5]);
    expect(p.spacing).toEqual([2, 2, 2]);
    expect(p.morphMask.reduce((s, m) => s + m, 0)).toBe(74);
    expect([...new Set(p.image.filter((_, v) => p.morphMask[v]))].sort()).toEqual([1, 3, 4, 6]);
  });

  it('prints the conformance table', () => {
    const table = compared.map((r) => {
      const value = ours(r), tolerance = toleranceOf(r);
      return { feature: r.feature.replace(/\\ :sup:`th`/, 'th'), code: r.code,
        aggregation: r.aggregation || r.qualifier,
        reference: r.value, ours: value === undefined ? 'missing' : Number(value.toPrecision(4)), tolerance,
        pass: value !== undefined && Math.abs(value - r.value!) <= tolerance };
    });
    console.table(table);
    const withoutValue = rows.filter((r) => implemented(r) && r.value === undefined).map(
      (r) => `${r.code} ${r.aggregation}`);
    console.log(`passed ${table.filter((t) => t.pass).length}/${table.length}; rows with no reference value in the CSV: ${withoutValue.join('; ')}`);
    expect(table.length).toBeGreaterThan(150);
  });

  it.each(compared.map((r) =>
    [`${r.code} ${r.feature} ${r.aggregation || r.qualifier || ''}`.trim(), r] as const))('%s', (_, row) => {
      const value = ours(row);
      expect(value, 'feature not computed').toBeDefined();
      expect(Math.abs(value! - row.value!)).toBeLessThanOrEqual(toleranceOf(row));
    });
});
