// De-identification of every real test file and of pydicom's files with private tags and nested sequences,
// checked by an independent reader (pydicom against Table E.1-1), dciodvfy (no new errors) and byte comparison.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deidentifyPart10 } from '../../../src/deid/deidentify.js';
import { scanPart10Bytes } from '../../../src/dicom/header-scan.js';
import { type DeidProfile, resolveProfile } from '../../../src/deid/profile.js';
import { KeyedPseudonymizer } from '../../../src/deid/pseudonyms.js';
import { repoRoot, testdata } from '../../support/node-process.js';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const TABLE = path.join(repoRoot, 'scripts/annex-e/table-e1-1.txt');
const CHECK = path.join(repoRoot, 'test/support/deid_check.py');
const pseudo = new KeyedPseudonymizer(Buffer.alloc(32, 0x5a));
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'deid-'));

const realFiles = fs.readdirSync(testdata, { recursive: true }).map(String).map((f) => path.join(testdata, f))
  .filter((f) => fs.statSync(f).isFile());
const corpusFiles = ['nested_priv_SQ.dcm', 'priv_SQ.dcm', 'UN_sequence.dcm', 'rtplan.dcm', 'test-SR.dcm',
  'reportsi.dcm'].map((f) => path.join(PYDICOM, f));
/** Runs a line of Python with pydicom (Debian's: an independent reader) on `args`; its stdout, trimmed. */
const pydicom = (code: string, ...args: string[]) =>
  execFileSync('/usr/bin/python3', ['-c', `import pydicom,sys;${code}`, ...args], { encoding: 'utf8' }).trim();
/** refused with a code, as they should be: not Part 10 or truncated, or a transfer syntax the rewriter does not edit */
const REFUSED: Record<string, string> = {
  'ExplVR_LitEndNoMeta.dcm': 'DEID_UNPARSEABLE', 'rtstruct.dcm': 'DEID_UNPARSEABLE',
  'MR_truncated.dcm': 'DEID_UNPARSEABLE',
  'MR_small_bigendian.dcm': 'DEID_UNSUPPORTED_TRANSFER_SYNTAX', 'image_dfl.dcm': 'DEID_UNSUPPORTED_TRANSFER_SYNTAX',
};
/** Secondary Capture / Ultrasound files without Burned In Annotation, as pydicom reads them (SOP Class UID roots
 * 1.2.840.10008.5.1.4.1.1.7, .6, .3.1): refused unless the profile allows them */
const scan = `import pydicom,sys
for f in sys.argv[1:]:
  d=pydicom.dcmread(f,force=True,stop_before_pixels=True); c=str(d.get('SOPClassUID',''))
  sc=c.startswith('1.2.840.10008.5.1.4.1.1.7') or c.startswith('1.2.840.10008.5.1.4.1.1.6.')
  if (sc or c=='1.2.840.10008.5.1.4.1.1.3.1') and 'BurnedInAnnotation' not in d: print(f)`;

interface Check {
  problems: string[]; unnamedChanged: string[]; pixelIdentical: boolean | null; patientIdentityRemoved: string | null;
  methodCodes: string[]; studyUid: string | null; seriesUid: string | null; referencedSeriesUids: string[];
}

function check(original: string, deid: string, profile: Partial<DeidProfile>): Check {
  const args = [CHECK, TABLE, original, deid, JSON.stringify(profile)];
  return JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8' }));
}

/** dciodvfy's Error lines, numbers and UIDs blanked (a pseudonymous UID in a message is the same finding). */
function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const lines = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
  return [...new Set(lines.map((l) => l.replace(/\d+(\.\d+)*/g, "<n>")))];
}

function deid(file: string, profile: Partial<DeidProfile> = {}) {
  const r = deidentifyPart10(fs.readFileSync(file), resolveProfile(profile), pseudo);
  const target = path.join(out, `${path.basename(path.dirname(file))}-${path.basename(file)}`);
  fs.writeFileSync(target, r.bytes);
  return { ...r, target };
}

describe('de-identification of real files', () => {
  const accepted = [...realFiles, ...corpusFiles].filter((f) => !REFUSED[path.basename(f)]);
  const scanned = execFileSync('/usr/bin/python3', ['-c', scan, ...accepted], { encoding: 'utf8' });
  const SC = new Set(scanned.trim().split('\n'));
  expect(accepted.length).toBeGreaterThan(30);

  const title = '%s: nothing the profile removes remains, pixel data and unnamed elements unchanged, '
    + 'no new dciodvfy errors';
  it.each(accepted)(title, (file) => {
    const profile = SC.has(file) ? { allowScUsWithoutBurnedInFlag: true } : {};
    if (SC.has(file)) expect(() => deid(file)).toThrow('DEID_BURNED_IN_ANNOTATION');
    const r = deid(file, profile);
    const c = check(file, r.target, profile);
    expect(c.problems).toEqual([]);
    expect(c.unnamedChanged).toEqual([]);
    if (c.pixelIdentical !== null) expect(c.pixelIdentical).toBe(true);
    expect(c.patientIdentityRemoved).toBe('YES');
    expect(c.methodCodes).toEqual(['113100:DCM']);
    // what the outbox is told of the file is what its meta header says
    const meta = scanPart10Bytes(r.bytes);
    expect([r.sopClassUid, r.sopInstanceUid, r.transferSyntaxUid])
      .toEqual([meta.mediaStorageSopClassUid, meta.mediaStorageSopInstanceUid, meta.transferSyntaxUid]);
    const before = dciodvfyErrors(file);
    // a file dciodvfy cannot walk (tags out of order) was never checked: nothing to compare with
    if (!before.some((l) => l.includes('Tags out of order'))) {
      expect(dciodvfyErrors(r.target).filter((l) => !before.includes(l))).toEqual([]);
    }
    // the same input gives the same output, pseudonyms and UIDs included
    expect(deidentifyPart10(fs.readFileSync(file), resolveProfile(profile), pseudo).bytes.equals(r.bytes)).toBe(true);
  });

  it('finds the Secondary Capture files of the corpus', () => {
    expect([...SC].map((f) => path.basename(f)))
      .toEqual(expect.arrayContaining(['SC_rgb_rle.dcm', 'SC_rgb_jpeg_dcmtk.dcm']));
  });

  it.each(Object.entries(REFUSED))('%s is refused with %s', (name, code) => {
    const file = [...realFiles, ...corpusFiles].find((f) => path.basename(f) === name)!;
    expect(() => deid(file)).toThrow(code);
  });

  it('refuses Secondary Capture without Burned In Annotation, and YES, unless the profile allows them', () => {
    const sc = realFiles.find((f) => path.basename(f) === 'SC_rgb_rle.dcm')!;
    expect(() => deid(sc)).toThrow('DEID_BURNED_IN_ANNOTATION');
    const ct = fs.readFileSync(path.join(testdata, 'pydicom/CT_small.dcm'));
    const yes = patchBurnedIn(ct);
    expect(() => deidentifyPart10(yes, resolveProfile(), pseudo)).toThrow('DEID_BURNED_IN_ANNOTATION');
    expect(() => deidentifyPart10(yes, resolveProfile({ allowBurnedInAnnotation: true }), pseudo)).not.toThrow();
  });

  it('maps a UID the same way in every file: one study UID per study, a SEG references its CT by the new UIDs', () => {
    const checked = (f: string) => check(path.join(testdata, f), deid(path.join(testdata, f)).target, {});
    const cts = ['01', '02', '03'].map((n) => checked(`dcmqi-ct3/${n}.dcm`));
    const seg = checked('dcmqi-seg-sr/liver-seg.dcm');
    const original = pydicom('d=pydicom.dcmread(sys.argv[1]);print(d.SeriesInstanceUID)',
      path.join(testdata, 'dcmqi-ct3/01.dcm'));
    expect(new Set(cts.map((c) => c.seriesUid)).size).toBe(1);
    expect(new Set(cts.map((c) => c.studyUid)).size).toBe(1);
    expect(cts[0].seriesUid).not.toBe(original);
    expect(seg.referencedSeriesUids).toEqual([cts[0].seriesUid]);
    expect(seg.studyUid).toBe(cts[0].studyUid);
  });

  it('applies the options: patient characteristics, device identity, modified dates, descriptors, a creator', () => {
    const profile = { retainPatientCharacteristics: true, retainDeviceIdentity: true, longitudinal: 'modified' as const,
      cleanDescriptors: true, keepPrivateCreators: ['GEMS_IDEN_01'] };
    const file = path.join(testdata, 'pydicom/CT_small.dcm');
    const r = deid(file, profile);
    const c = check(file, r.target, profile);
    expect(c.problems).toEqual([]);
    expect(c.unnamedChanged).toEqual([]); // K attributes (sex, station name, …) kept: the checker compares them too
    expect(c.methodCodes).toEqual(['113100:DCM', '113105:DCM', '113107:DCM', '113108:DCM', '113109:DCM', '113111:DCM']);
    const kept = pydicom('d=pydicom.dcmread(sys.argv[1]);print(d[0x00090010].value, d.PatientSex, d.StudyDate)',
      r.target);
    const [sex, date] = pydicom('d=pydicom.dcmread(sys.argv[1]);print(d.PatientSex, d.StudyDate)', file).split(' ');
    expect(kept).toBe(`GEMS_IDEN_01 ${sex} ${shifted(date, pseudoShift(file))}`);
    expect(date).not.toBe(shifted(date, pseudoShift(file)));
  });
});

/** The file with Burned In Annotation (0028,0301) YES inserted (explicit VR LE, before the first later element). */
function patchBurnedIn(file: Buffer): Buffer {
  const el = Buffer.from([0x28, 0x00, 0x01, 0x03, 0x43, 0x53, 0x04, 0x00, 0x59, 0x45, 0x53, 0x20]);
  const group28 = Buffer.from([0x28, 0x00]);
  for (let pos = file.indexOf(group28); pos > 0; pos = file.indexOf(group28, pos + 1)) {
    const explicitVr = /^[A-Z]{2}$/.test(file.toString('latin1', pos + 4, pos + 6));
    if (file.readUInt16LE(pos) === 0x0028 && file.readUInt16LE(pos + 2) > 0x0301 && explicitVr) {
      return Buffer.concat([file.subarray(0, pos), el, file.subarray(pos)]);
    }
  }
  throw new Error('no place for (0028,0301)');
}

function pseudoShift(file: string): number {
  const id = pydicom('d=pydicom.dcmread(sys.argv[1]);print(d.get("IssuerOfPatientID","") + "|" + d.PatientID)', file)
    .split('|');
  return pseudo.dateShiftDays(`id\0${id[0]}\0${id[1]}`);
}

function shifted(date: string, days: number): string {
  const d = new Date(Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8) + days));
  return d.toISOString().slice(0, 10).replace(/-/g, '');
}
