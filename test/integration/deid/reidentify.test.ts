// De-identify a CT and its SEG, then re-identify the SEG as if a service had returned it: every UID and the patient
// and study attributes come back as they were (pydicom reads both); an unknown reference is reported.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deidentifyPart10 } from '../../../src/deid/deidentify.js';
import { resolveProfile } from '../../../src/deid/profile.js';
import { KeyedPseudonymizer } from '../../../src/deid/pseudonyms.js';
import { reidentifyPart10, RESTORED } from '../../../src/deid/reidentify.js';
import { testdata } from '../../support/node-process.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reid-'));
const pseudo = new KeyedPseudonymizer(Buffer.alloc(32, 9));

/** Every UI value with its place in the data set, and the patient/study attributes, as pydicom reads them. */
function uidsAndPatient(file: string): { uids: string[]; attrs: Record<string, string> } {
  const py = `import pydicom,sys,json
d=pydicom.dcmread(sys.argv[1]); out=[]
def walk(ds,p):
  for e in ds:
    if e.VR=='UI': out.append(p+str(e.tag)+'='+str(e.value))
    if e.VR=='SQ':
      for i,it in enumerate(e.value): walk(it,p+str(e.tag)+'['+str(i)+'].')
walk(d,'')
print(json.dumps({'uids':out,'attrs':{k:str(d.get(k,'')) for k in sys.argv[2:]}}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, file, ...Object.keys(RESTORED)], { encoding: 'utf8' }));
}

describe('re-identification', () => {
  const ct = ['01', '02', '03'].map((n) => path.join(testdata, `dcmqi-ct3/${n}.dcm`));
  const segFile = path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm');
  const mapping = new Map<string, string>(); // pseudonym → original
  const deid = (f: string) => {
    const r = deidentifyPart10(fs.readFileSync(f), resolveProfile(), pseudo);
    for (const [o, p] of r.uids) mapping.set(p, o);
    return r;
  };
  const cts = ct.map(deid);
  const seg = deid(segFile);
  const studyAttrs = uidsAndPatient(ct[0]!).attrs;

  it('maps every UID of a returned SEG back and restores the patient and study', () => {
    const created = new Set<string>();
    const r = reidentifyPart10(seg.bytes, (p) => mapping.get(p), created, studyAttrs);
    expect(r.unknown).toEqual([]);
    fs.writeFileSync(path.join(dir, 'seg.dcm'), r.bytes);
    const back = uidsAndPatient(path.join(dir, 'seg.dcm'));
    const before = uidsAndPatient(segFile);
    expect(back.uids).toEqual(before.uids);
    expect(back.uids.length).toBeGreaterThan(5);
    expect(back.attrs).toEqual(studyAttrs);
    expect(cts[0]!.pseudoStudyUid).not.toBe(cts[0]!.studyUid);
  });

  it('keeps UIDs the service created and reports references the mapping does not know', () => {
    const sopOf = (bytes: Buffer, name: string) => {
      fs.writeFileSync(path.join(dir, name), bytes);
      const py = 'import pydicom,sys;print(pydicom.dcmread(sys.argv[1]).SOPInstanceUID)';
      return execFileSync('/usr/bin/python3', ['-c', py, path.join(dir, name)], { encoding: 'utf8' }).trim();
    };
    // the SEG as a service would write it: its own SOP Instance UID is new to the mapping, its references pseudonymous
    const own = sopOf(seg.bytes, 'seg-deid.dcm');
    const without = (p: string) => (q: string) => (q === p ? undefined : mapping.get(q));
    const kept = reidentifyPart10(seg.bytes, without(own), new Set([own]), studyAttrs);
    expect(kept.unknown).toEqual([]);
    expect(kept.sopInstanceUid).toBe(own);
    // a referenced CT slice the mapping does not know: reported (the caller quarantines the object)
    const ctSop = sopOf(cts[1]!.bytes, 'ct-deid.dcm');
    expect(reidentifyPart10(seg.bytes, without(ctSop), new Set([own]), studyAttrs).unknown).toEqual([ctSop]);
    // and a study the mapping does not know
    expect(reidentifyPart10(seg.bytes, without(seg.pseudoStudyUid), new Set(), studyAttrs).unknown)
      .toContain(seg.pseudoStudyUid);
  });
});
