// The external action's validation: every field checked, each bad value named by its JSON path; the service must be
// a destination marked external (so reached over TLS), and no other action may send to an external destination.
// The TLS rule itself is the destination validator's: checked here too, as the action relies on it.
import { describe, expect, it } from 'vitest';
import { validateDestination } from '../../../src/export/destination.js';
import { validateRule, type RuleProblem } from '../../../src/route/index.js';

const known = { models: ['ct-body-lung'], destinations: ['pacs', 'ext-ai', 'plain'], external: ['ext-ai'] };
const external = (extra: Record<string, unknown> = {}) =>
  ({ type: 'external', service: 'ext-ai', series: { pick: 'thinnest' }, destinations: ['pacs'], ...extra });
const ruleWith = (...actions: unknown[]) =>
  ({ id: 'ext', name: 'External AI', enabled: true, priority: 1, then: 'stop', actions });

/** The problems of a rule holding `actions` (none when it validates). */
function problems(...actions: unknown[]): RuleProblem[] {
  const r = validateRule(ruleWith(...actions), known);
  return r.ok ? [] : r.problems;
}
const without = (key: string) => { const a: Record<string, unknown> = external(); delete a[key]; return a; };

describe('external action: what validates', () => {
  it('accepts the bare action and one with every optional field', () => {
    expect(problems(external())).toEqual([]);
    expect(problems(external({
      series: { pick: 'all', where: { attribute: 'SliceThickness', op: '<=', value: 2 } },
      destinations: ['pacs', 'reply-to-sender'],
      profile: { longitudinal: 'modified', retainPatientCharacteristics: true,
        keepPrivateCreators: ['SIEMENS CSA HEADER'] },
      timeoutSeconds: 0.5, review: 'required', onQcFail: 'discard',
      qc: { segments: [
        { label: 'Liver', checks: { volumeMl: { min: 800, max: 3000 }, maxComponents: 2, ignoreComponentsBelowMl: 5 } },
        { label: 'Lesion', type: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
          checks: { mayBeAbsent: true, inside: { segment: 'Liver', maxFractionOutside: 0.05 } } },
      ] },
    }))).toEqual([]);
    expect(problems(external({ review: 'none', timeoutSeconds: 3600, profile: {} }))).toEqual([]);
  });
});

describe('external action: each bad field by its path', () => {
  it('names each required field that is missing', () => {
    for (const key of ['service', 'series', 'destinations']) {
      expect(problems(without(key)), key)
        .toEqual([{ path: `/actions/0/${key}`, message: `required property '${key}' is missing` }]);
    }
  });

  it('rejects an unknown property, naming the allowed ones', () => {
    const [p, ...rest] = problems(external({ model: 'ct-body-lung' }));
    expect(rest).toEqual([]);
    expect(p!.path).toBe('/actions/0/model');
    expect(p!.message)
      .toBe("unknown property 'model'; allowed: type, service, series, destinations, profile, timeoutSeconds, review, "
        + 'qc, onQcFail');
  });

  it('checks the type of every field', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ service: '' }, '/actions/0/service'], [{ service: 7 }, '/actions/0/service'],
      [{ series: 'all' }, '/actions/0/series'], [{ series: { pick: 'newest' } }, '/actions/0/series/pick'],
      [{ series: { pick: 'all', sort: 'x' } }, '/actions/0/series/sort'],
      [{ destinations: 'pacs' }, '/actions/0/destinations'], [{ destinations: [] }, '/actions/0/destinations'],
      [{ timeoutSeconds: 0 }, '/actions/0/timeoutSeconds'], [{ timeoutSeconds: -5 }, '/actions/0/timeoutSeconds'],
      [{ timeoutSeconds: '60' }, '/actions/0/timeoutSeconds'],
      [{ review: 'maybe' }, '/actions/0/review'], [{ review: true }, '/actions/0/review'],
      [{ profile: 'basic' }, '/actions/0/profile'], [{ profile: ['retainUids'] }, '/actions/0/profile'],
    ];
    for (const [extra, path] of cases) {
      expect(problems(external(extra)).map((p) => p.path), JSON.stringify(extra)).toContain(path);
    }
  });

  it('names a bad value of the review and series pick with the allowed ones', () => {
    expect(problems(external({ review: 'maybe' })))
      .toEqual([{ path: '/actions/0/review', message: '"maybe" is not one of: none, required' }]);
    expect(problems(external({ series: { pick: 'newest' } })))
      .toEqual([{ path: '/actions/0/series/pick',
        message: '"newest" is not one of: all, thinnest, mostInstances, first' }]);
  });

  it('names each bad profile option by its own path, as de-identification reads it', () => {
    const profile = { longitudinal: 'shifted', retainUids: 'yes', blurFaces: true, keepPrivateCreators: [''] };
    expect(problems(external({ profile })))
      .toEqual([
        { path: '/actions/0/profile/blurFaces', message: 'unknown option' },
        { path: '/actions/0/profile/longitudinal', message: 'must be off, full or modified' },
        { path: '/actions/0/profile/retainUids', message: 'must be a boolean' },
        { path: '/actions/0/profile/keepPrivateCreators', message: 'must be a list of non-empty strings' },
      ]);
  });

  it('checks the series condition like any series condition', () => {
    const where = { attribute: 'NoSuchAttribute', op: 'equals', value: 1 };
    const [p] = problems(external({ series: { pick: 'all', where } }));
    expect(p!.path).toBe('/actions/0/series/where/attribute');
  });
});

describe('external action: destinations and TLS', () => {
  it('needs a known service, marked external', () => {
    expect(problems(external({ service: 'nowhere' }))).toEqual([
      { path: '/actions/0/service', message: "unknown destination 'nowhere'; known: pacs, ext-ai, plain" },
    ]);
    const [p, ...rest] = problems(external({ service: 'plain' }));
    expect(rest).toEqual([]);
    expect(p!.path).toBe('/actions/0/service');
    expect(p!.message).toMatch(/^destination 'plain' is not marked external \(TLS required\).*ext-ai$/);
  });

  it('refuses an external destination for results or originals, in every action', () => {
    const message = "destination 'ext-ai' is marked external: only an external action's service may receive data "
      + '(de-identified)';
    const at = (i: number) => [{ path: `/actions/0/destinations/${i}`, message }];
    expect(problems(external({ destinations: ['pacs', 'ext-ai'] }))).toEqual(at(1));
    expect(problems({ type: 'forward', destinations: ['ext-ai'] })).toEqual(at(0));
    const runModel = { type: 'runModel', model: 'ct-body-lung', series: { pick: 'thinnest' }, outputs: ['SEG'] };
    expect(problems({ ...runModel, destinations: ['ext-ai'] })).toEqual(at(0));
    expect(problems({ type: 'measure', destinations: ['pacs', 'ext-ai'] })).toEqual(at(1));
    expect(problems(external({ destinations: ['nowhere'] }))[0]!.path).toBe('/actions/0/destinations/0');
  });

  it('an external destination is saved only with TLS: DIMSE tls true, DICOMweb https', () => {
    const dimse = { id: 'ext-ai', name: 'External AI', type: 'dimse', aeTitle: 'EXT', host: 'ai.example.org',
      port: 11112, external: true };
    expect(validateDestination(dimse))
      .toEqual({ ok: false, problems: [{ path: '/tls', message: 'an external destination needs tls: true' }] });
    expect(validateDestination({ ...dimse, tls: false })).toMatchObject({ ok: false, problems: [{ path: '/tls' }] });
    expect(validateDestination({ ...dimse, tls: true })).toMatchObject({ ok: true });
    expect(validateDestination({ ...dimse, external: false })).toMatchObject({ ok: true }); // inside: plain TCP allowed
    const web = { id: 'cloud', name: 'Cloud AI', type: 'dicomweb', url: 'http://ai.example.org/dicom-web',
      external: true };
    expect(validateDestination(web))
      .toEqual({ ok: false, problems: [{ path: '/url', message: 'an external destination needs an https:// URL' }] });
    expect(validateDestination({ ...web, url: 'https://ai.example.org/dicom-web' })).toMatchObject({ ok: true });
    expect(validateDestination({ ...dimse, external: 'yes' }))
      .toMatchObject({ ok: false, problems: [{ path: '/external' }] });
  });
});

describe('external action: qc, a manifest segment\'s checks per returned segment', () => {
  const qc = (...segments: unknown[]) => external({ qc: { segments } });
  it('checks each segment\'s checks with the manifest\'s schema, every bad one by its path', () => {
    expect(problems(qc({ label: 'Liver', checks: { volumeML: { max: 3 }, maxBorderFraction: 2 } }))).toEqual([
      { path: '/actions/0/qc/segments/0/checks/volumeML', message: "unknown property 'volumeML'; allowed: mayBeAbsent, "
        + 'volumeMl, volumeMlPerCm, volumeMlPerCmOfExtent, inside, maxBorderFraction, maxComponents, '
        + 'ignoreComponentsBelowMl' },
      { path: '/actions/0/qc/segments/0/checks/maxBorderFraction', message: 'must be <= 1' },
    ]);
    expect(problems(qc({ label: 'Liver', checks: { ignoreComponentsBelowMl: 2 } })).map((p) => p.path))
      .toEqual(['/actions/0/qc/segments/0/checks']); // only with maxComponents, as in a manifest
    expect(problems(qc({ label: 'Liver', checks: { volumeMl: { min: -1 } } })).map((p) => p.path))
      .toEqual(['/actions/0/qc/segments/0/checks/volumeMl/min']);
  });

  it('applies the manifest\'s cross-field rules: min ≤ max, inside another segment of this qc', () => {
    expect(problems(qc(
      { label: 'Liver', checks: { volumeMl: { min: 900, max: 100 } } },
      { label: 'Lesion', checks: { inside: { segment: 'Body', maxFractionOutside: 0 } } },
      { label: 'Cyst', checks: { inside: { segment: 'Cyst', maxFractionOutside: 0 } } },
    ))).toEqual([
      { path: '/actions/0/qc/segments/0/checks/volumeMl', message: 'min 900 is above max 100' },
      { path: '/actions/0/qc/segments/1/checks/inside/segment',
        message: '"Body" is not a segment label of this qc (it has "Liver", "Lesion", "Cyst")' },
      { path: '/actions/0/qc/segments/2/checks/inside/segment', message: 'a segment cannot be checked against itself' },
    ]);
  });

  it('needs a label and checks per segment, unique labels, at least one segment and a whole type code', () => {
    expect(problems(qc({ checks: {} })))
      .toEqual([{ path: '/actions/0/qc/segments/0/label', message: "required property 'label' is missing" }]);
    expect(problems(qc({ label: 'Liver' })))
      .toEqual([{ path: '/actions/0/qc/segments/0/checks', message: "required property 'checks' is missing" }]);
    expect(problems(qc({ label: 'Liver', checks: {} }, { label: 'Liver', checks: {} }))).toEqual([
      { path: '/actions/0/qc/segments/1/label', message: "duplicate label 'Liver' (also /actions/0/qc/segments/0)" },
    ]);
    expect(problems(qc()).map((p) => p.path)).toEqual(['/actions/0/qc/segments']);
    expect(problems(external({ qc: {} })).map((p) => p.path)).toEqual(['/actions/0/qc/segments']);
    expect(problems(qc({ label: 'Liver', type: { scheme: 'SCT' }, checks: {} })))
      .toEqual([{ path: '/actions/0/qc/segments/0/type/value', message: "required property 'value' is missing" }]);
  });

  it('takes onQcFail review or discard, and only with qc', () => {
    expect(problems(external({ onQcFail: 'hold' })).map((p) => p.path)).toContain('/actions/0/onQcFail');
    expect(problems(external({ onQcFail: 'discard' }))).toEqual([
      { path: '/actions/0/onQcFail', message: 'onQcFail needs qc: without checks a returned result cannot fail' },
    ]);
    expect(problems(external({ onQcFail: 'review', qc: { segments: [{ label: 'Liver', checks: {} }] } }))).toEqual([]);
  });
});
