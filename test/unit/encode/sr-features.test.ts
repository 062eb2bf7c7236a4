// IBSI features in the TID 1500 SR of the real 3-slice CT: one NUM per feature in the segment's group, IBSI codes
// under the declared coding scheme, UCUM units, the configuration recorded; judged by dciodvfy, pixelmed, dsrdump.
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import { encodeMeasurementReport } from '../../../src/encode/sr.js';
import { cropAround } from '../../../src/features/crop.js';
import { CT_FEATURE_DEFAULTS, measureRoi, type Feature, type FeatureConfig } from '../../../src/features/index.js';
import {
  algorithm, bodyLungLiver, dciodvfy, job, loadSeries, pixelmedSr, readNatural, realData, run, tempDir, writeTemp,
} from './fixtures.js';

// dciodvfy's vetted warnings (see ct-seg-sr.test.ts), plus: it knows only the registered coding scheme designators,
// and 99DAIN is private by design (PS3.16 8.2), declared in CodingSchemeIdentificationSequence.
const ACCEPTED_WARNINGS = [/Retired Person Name form/, /\(0x0018,0x1002\) UI Device UID/, /Standard Extended SOP Class/,
  /Unrecognized defined term <99DAIN> for value 1 of attribute <Coding Scheme Designator>/];
// Lung only, on the image grid (3 slices are too few to resample to 2 mm and keep texture): fixed bins of 25 HU.
const config: FeatureConfig =
  { ...CT_FEATURE_DEFAULTS, resampling: null, resegmentation: { range: [-1000, 400], outlierSigma: null } };

let srFile: string;
let lung: Feature[];

beforeAll(() => {
  const series = loadSeries(path.join(realData, 'dcmqi-ct3'));
  const labels = series.hu.map((h) => (h > -200 ? 1 : h > -900 && h < -400 ? 2 : 0)) as unknown as Uint8Array;
  const label8 = Uint8Array.from(labels);
  const seg = encodeSegmentation(series.sources, { dims: [series.cols, series.rows, 3], data: label8 }, bodyLungLiver,
    algorithm, job);
  const spacing = [1, 0.810547, 0.810547] as const;
  const roi = cropAround(series.hu, label8, [2], [3, series.rows, series.cols], spacing);
  lung = measureRoi(roi, { ...config, discretisation: { method: 'fixed bin size', binWidth: 25, lowerBound: -1000 } });
  const sr = encodeMeasurementReport(series.sources, seg, bodyLungLiver, algorithm, job, series.hu,
    [{ label: 'Lung', features: lung, config }]);
  srFile = writeTemp(tempDir('features'), 'sr.dcm', sr.bytes);
});

describe('SR with IBSI features', () => {
  it('passes dciodvfy with no errors', () => {
    const { errors, warnings } = dciodvfy(srFile);
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => !ACCEPTED_WARNINGS.some((a) => a.test(w)))).toEqual([]);
  });

  it('passes pixelmed\'s TID 1500 validator with no errors', () => {
    const out = pixelmedSr([srFile]);
    expect(out).toContain('Root Template Validation Complete');
    expect(out.split('\n').filter((l) => /^Error/.test(l))).toEqual([]);
  }, 150_000);

  it('declares the IBSI scheme (PS3.16 UID) and the private modifier scheme', () => {
    const ds = readNatural(srFile);
    const schemes = ds.CodingSchemeIdentificationSequence as Array<Record<string, unknown>>;
    expect(schemes.map((s) => [s.CodingSchemeDesignator, s.CodingSchemeUID ?? null])).toEqual([
      ['IBSI', '1.2.840.10008.2.16.13'], ['99DAIN', null],
    ]);
  });

  it('holds one NUM per feature in the Lung group only, with IBSI codes, aggregations and UCUM units', () => {
    const { out } = run('dsrdump', ['+Pc', '+Pu', srFile]);
    const groups = out.split(/CONTAINER:\(125007,DCM,"Measurement Group"\)/).slice(1);
    const body = groups.find((g) => g.includes('"Tracking Identifier")="Body"'))!;
    const lungGroup = groups.find((g) => g.includes('"Tracking Identifier")="Lung"'))!;
    expect(body).not.toContain(',IBSI,');
    expect(lungGroup.match(/NUM:\(\w{4},IBSI,/g)).toHaveLength(
      lung.filter((f) => !['YEKZ', 'Q4LE', '1GSF', '84IY'].includes(f.id)).length);
    expect(lungGroup).toContain('NUM:(C0JK,IBSI,"Surface area (mesh)")');
    expect(lungGroup).toMatch(/\(C0JK,IBSI,"Surface area \(mesh\)"\)="[^"]+" \(mm2,UCUM,/);
    expect(lungGroup).toMatch(/\(ECT3,IBSI,"Intensity variance"\)="[^"]+" \(\[hnsf'U\]2,UCUM,/);
    // the voxel-counting volume is SNOMED's Volume, told apart from the group's own by its IBSI method, in mm3
    expect(lungGroup).toMatch(/NUM:\(118565006,SCT,"Volume"\)="[^"]+" \(mm3,UCUM[^\n]*\n\s*<has concept mod CODE:\(370129005,SCT,"Measurement Method"\)=\(YEKZ,IBSI,/);
    // a GLCM feature twice, once per aggregation method
    const joint = [...lungGroup.matchAll(
      /NUM:\(GYBY,IBSI,[^\n]*\n\s*<has concept mod TEXT:\(AGGR,99DAIN,"IBSI aggregation method"\)="([^"]+)"/g)];
    expect(joint.map((m) => m[1])).toEqual(['3D, averaged', '3D, merged']);
  });

  it('writes each value as computed and records the configuration as algorithm parameters', () => {
    const { out } = run('dsrdump', ['+Pc', srFile]);
    const area = lung.find((f) => f.id === 'C0JK')!.value;
    expect(Number(out.match(/\(C0JK,IBSI,"Surface area \(mesh\)"\)="([^"]+)"/)?.[1])).toBeCloseTo(area, 8);
    expect(out.match(/\(111002,DCM,"Algorithm Parameters"\)/g)).toHaveLength(1); // the Lung group only
    const params = JSON.stringify(readNatural(srFile)).match(
      /"TextValue":"IBSI feature configuration ((?:[^"\\]|\\.)*)"/)?.[1];
    expect(JSON.parse(JSON.parse(`"${params}"`))).toEqual(config);
  });
});
