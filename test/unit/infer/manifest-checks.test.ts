// Manifest validation of segments[i].checks: good checks load, every bad value is named by its JSON path.
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../../src/infer/manifest-schema.js';
import type { SegmentChecks, SegmentDescription } from '../../../src/infer/manifest.js';
import { testManifest } from './helpers.js';

const code = { scheme: 'SCT', value: '91723000', meaning: 'Anatomical structure' };
function segment(label: string, labelValues: number[], checks?: unknown): SegmentDescription {
  return {
    labelValues, label, category: code, type: code, colorRgb: [1, 2, 3], measurements: ['volume'],
    ...(checks === undefined ? {} : { checks: checks as SegmentChecks }),
  };
}
/** Validates a two-segment model (Body 1+2, Lung 2) whose Lung segment declares `lungChecks`. */
function errorsFor(lungChecks: unknown): string[] {
  const manifest = testManifest('qc', { segments: [segment('Body', [1, 2]), segment('Lung', [2], lungChecks)] });
  return validateManifest(JSON.parse(JSON.stringify(manifest))).errors;
}

describe('manifest segment checks', () => {
  it('accepts every check, and a segment without checks', () => {
    expect(errorsFor({
      mayBeAbsent: true, volumeMl: { min: 0, max: 9000 }, volumeMlPerCm: { min: 40 },
      volumeMlPerCmOfExtent: { min: 60, max: 400 }, inside: { segment: 'Body', maxFractionOutside: 0.01 },
      maxBorderFraction: 0, maxComponents: 3, ignoreComponentsBelowMl: 5,
    })).toEqual([]);
    expect(errorsFor(undefined)).toEqual([]);
    expect(errorsFor({})).toEqual([]);
  });

  it('keeps the checks in the validated manifest', () => {
    const manifest = testManifest('qc', { segments: [segment('Body', [1, 2], { volumeMl: { max: 20000 } })] });
    expect(validateManifest(manifest).manifest?.segments[0].checks).toEqual({ volumeMl: { max: 20000 } });
  });

  it('refuses negative volume limits, naming each by path', () => {
    expect(errorsFor(
      { volumeMl: { min: -1 }, volumeMlPerCm: { max: -0.5 }, volumeMlPerCmOfExtent: { min: -2 } })).toEqual([
      '/segments/1/checks/volumeMl/min: must be >= 0',
      '/segments/1/checks/volumeMlPerCm/max: must be >= 0',
      '/segments/1/checks/volumeMlPerCmOfExtent/min: must be >= 0',
    ]);
  });

  it('refuses a range with min above max, and an empty range', () => {
    expect(errorsFor({ volumeMl: { min: 300, max: 100 } })).toEqual(
      ['/segments/1/checks/volumeMl: min 300 is above max 100']);
    expect(errorsFor({ volumeMlPerCm: { min: 50, max: 40 } })).toEqual(
      ['/segments/1/checks/volumeMlPerCm: min 50 is above max 40']);
    expect(errorsFor({ volumeMlPerCmOfExtent: { min: 5, max: 4 } })).toEqual([
      '/segments/1/checks/volumeMlPerCmOfExtent: min 5 is above max 4',
    ]);
    expect(errorsFor({ volumeMl: {} })).toEqual(['/segments/1/checks/volumeMl: must NOT have fewer than 1 properties']);
  });

  it('refuses non-numeric limits', () => {
    expect(errorsFor({ volumeMl: { max: '9000' } })).toEqual(['/segments/1/checks/volumeMl/max: must be number']);
  });

  it('refuses fractions outside 0..1', () => {
    expect(errorsFor({ maxBorderFraction: 1.5, inside: { segment: 'Body', maxFractionOutside: -0.1 } })).toEqual([
      '/segments/1/checks/inside/maxFractionOutside: must be >= 0',
      '/segments/1/checks/maxBorderFraction: must be <= 1',
    ]);
  });

  it('refuses an inside check naming a segment the model does not have, or the segment itself', () => {
    expect(errorsFor({ inside: { segment: 'Thorax', maxFractionOutside: 0 } })).toEqual([
      '/segments/1/checks/inside/segment: "Thorax" is not a segment label of this model (it has "Body", "Lung")',
    ]);
    expect(errorsFor({ inside: { segment: 'Lung', maxFractionOutside: 0 } })).toEqual([
      '/segments/1/checks/inside/segment: a segment cannot be checked against itself',
    ]);
  });

  it('refuses an inside check without its segment or limit', () => {
    expect(errorsFor({ inside: { segment: 'Body' } })).toEqual([
      "/segments/1/checks/inside: must have required property 'maxFractionOutside'",
    ]);
    expect(errorsFor({ inside: { maxFractionOutside: 0 } })).toEqual([
      "/segments/1/checks/inside: must have required property 'segment'",
    ]);
  });

  it('refuses a component count that is not a positive integer', () => {
    expect(errorsFor({ maxComponents: 0 })).toEqual(['/segments/1/checks/maxComponents: must be >= 1']);
    expect(errorsFor({ maxComponents: 2.5 })).toEqual(['/segments/1/checks/maxComponents: must be integer']);
  });

  it('refuses a component size floor without a component count, or not above 0', () => {
    expect(errorsFor({ ignoreComponentsBelowMl: 5 })).toEqual([
      '/segments/1/checks: must have property maxComponents when property ignoreComponentsBelowMl is present',
    ]);
    expect(errorsFor({ maxComponents: 2, ignoreComponentsBelowMl: 0 })).toEqual([
      '/segments/1/checks/ignoreComponentsBelowMl: must be > 0',
    ]);
  });

  it('names a misspelt check and a non-boolean mayBeAbsent', () => {
    expect(errorsFor({ volumeML: { max: 1 } })).toEqual(
      ['/segments/1/checks: must NOT have additional properties ("volumeML")']);
    expect(errorsFor({ mayBeAbsent: 'yes' })).toEqual(['/segments/1/checks/mayBeAbsent: must be boolean']);
  });
});
