// The generated Annex E table: current with its source, and a few rows as PS3.15 Table E.1-1 prints them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANNEX_E_ROWS } from '../../../src/deid/annex-e-table.js';
import { repoRoot } from '../../support/node-process.js';

const row = (tag: string) => ANNEX_E_ROWS.find((r) => r.tag === tag);

describe('Annex E table (generated from PS3.15 Table E.1-1)', () => {
  it('is what the generator makes of the committed source (nobody edited it by hand)', async () => {
    const gen = await import(path.join(repoRoot, 'scripts/annex-e/generate.mjs'));
    const source = fs.readFileSync(path.join(repoRoot, 'scripts/annex-e/table-e1-1.txt'), 'utf8');
    const current = fs.readFileSync(path.join(repoRoot, 'src/deid/annex-e-table.ts'), 'utf8');
    expect(gen.render(gen.parseTable(source))).toBe(current);
  });

  it('holds the whole table, one row per tag', () => {
    expect(ANNEX_E_ROWS.length).toBeGreaterThan(400);
    expect(new Set(ANNEX_E_ROWS.map((r) => r.tag)).size).toBe(ANNEX_E_ROWS.length);
  });

  it('has the rows the standard prints', () => {
    expect(row('00100010')).toMatchObject({ name: "Patient's Name", basic: 'Z', options: {} });
    expect(row('00100020')).toMatchObject({ name: 'Patient ID', basic: 'Z' });
    expect(row('00100030')).toMatchObject({ name: "Patient's Birth Date", basic: 'Z' });
    expect(row('0020000d')).toMatchObject({ name: 'Study Instance UID', basic: 'U', options: { retainUids: 'K' } });
    expect(row('00080080')).toMatchObject({ basic: 'X/Z/D', options: { retainInstitutionIdentity: 'K' } });
    expect(row('00080020')).toMatchObject({
      basic: 'Z', options: { retainLongitudinalFullDates: 'K', retainLongitudinalModifiedDates: 'C' },
    });
    expect(row('00101010'))
      .toMatchObject({ name: "Patient's Age", basic: 'X', options: { retainPatientCharacteristics: 'K' } });
    expect(row('00181000')).toMatchObject({ name: 'Device Serial Number', options: { retainDeviceIdentity: 'K' } });
    expect(row('0008103e'))
      .toMatchObject({ name: 'Series Description', basic: 'X', options: { cleanDescriptors: 'C' } });
    expect(row('0040a730'))
      .toMatchObject({ name: 'Content Sequence', basic: 'D', options: { cleanStructuredContent: 'C' } });
    expect(row('00082112')).toMatchObject({ name: 'Source Image Sequence', basic: 'X/Z/U*' });
    expect(row('60xx3000')).toMatchObject({ name: 'Overlay Data', basic: 'X' });
    expect(row('private')).toMatchObject({ basic: 'X', options: { retainSafePrivate: 'C' } });
    // attributes the profile does not name are kept: they have no row
    expect(row('00080060')).toBeUndefined(); // Modality
    expect(row('7fe00010')).toBeUndefined(); // Pixel Data
  });
});
