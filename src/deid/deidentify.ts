// De-identifies one Part-10 file in memory: meta header rebuilt for the new SOP Instance UID, data set rewritten
// by the profile, pixel data and every element the profile does not name copied byte for byte.
import { part10Prefix } from '../dicom/part10-meta.js';
import { SC_AND_US_STORAGE_CLASSES, TS } from '../dicom/uids.js';
import { type Element, parseElements, stringValue } from './dataset.js';
import { textElement } from './encode.js';
import { DeidError } from './errors.js';
import { methodElements } from './method.js';
import { type PatientPseudonym, patientKey, type Pseudonymizer } from './pseudonyms.js';
import type { DeidProfile } from './profile.js';
import { rewriteElements } from './rewrite.js';
import { RESTORED } from './reidentify.js';

export interface DeidResult {
  bytes: Buffer;
  /** what the outbox needs of the new file (its meta header), so no caller scans it again */
  sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string;
  modality: string;
  /** every [original, pseudonymous] UID pair this file used */
  uids: [string, string][];
  patient: { issuer: string; id: string; name: string; birthDate: string; pseudonym: PatientPseudonym };
  studyUid: string;
  pseudoStudyUid: string;
  /** the patient and study attributes re-identification restores (reidentify.ts RESTORED), as they were */
  restore: Record<string, string>;
}

/** Words C removes from text: the names and identifiers of the top level. */
const IDENTIFYING = [
  0x00080050, 0x00080080, 0x00080090, 0x00081050, 0x00081070, 0x00100010, 0x00100020, 0x00100030, 0x00101000,
  0x00101001, 0x00101040,
];

export function deidentifyPart10(bytes: Buffer, profile: DeidProfile, pseudo: Pseudonymizer): DeidResult {
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') {
    throw new DeidError('DEID_UNPARSEABLE', 'not a DICOM Part 10 file (no DICM prefix)');
  }
  const meta = readMeta(bytes);
  const ts = meta.get(0x00020010) ?? '';
  if (ts === TS.explicitBig || ts === TS.deflatedExplicitLittle || !ts) {
    throw new DeidError('DEID_UNSUPPORTED_TRANSFER_SYNTAX',
      `transfer syntax ${ts || '(none)'}: only little endian, not deflated, data sets are de-identified`);
  }
  const explicit = ts !== TS.implicitLittle;
  const { elements } = parseElements(bytes, meta.end, bytes.length, explicit);
  const top = new Map<number, Element>(elements.map((e) => [e.tag, e]));
  const value = (tag: number) => { const e = top.get(tag); return e ? stringValue(bytes, e).trim() : ''; };
  const sopClass = value(0x00080016) || meta.get(0x00020002) || '';
  checkBurnedIn(value(0x00280301).toUpperCase(), sopClass, profile);

  const issuer = value(0x00100021); const id = value(0x00100020); const name = value(0x00100010);
  const pseudonym = pseudo.patient(issuer, id, name);
  const uids = new Map<string, string>();
  const uid = (original: string) => {
    let mapped = uids.get(original);
    if (!mapped) { mapped = pseudo.uid(original); uids.set(original, mapped); }
    return mapped;
  };
  const overrides = methodElements(profile) as Map<number, (explicit: boolean) => Buffer | null>;
  overrides.set(0x00100010, (x) => textElement(0x00100010, 'PN', pseudonym.name, x));
  overrides.set(0x00100020, (x) => textElement(0x00100020, 'LO', pseudonym.id, x));
  const ctx = {
    b: bytes, profile, uid, overrides,
    dateShiftDays: pseudo.dateShiftDays(patientKey(issuer, id, name)),
    identifiers: IDENTIFYING.map(value).filter(Boolean),
  };
  const body = Buffer.concat(rewriteElements(elements, explicit, ctx, true).parts);
  const sopInstance = value(0x00080018);
  const newSop = profile.retainUids || !sopInstance ? sopInstance : uid(sopInstance);
  const studyUid = value(0x0020000d);
  return {
    bytes: Buffer.concat([part10Prefix(sopClass, newSop, ts, ''), body]),
    sopClassUid: sopClass, sopInstanceUid: newSop, transferSyntaxUid: ts, modality: value(0x00080060),
    uids: [...uids.entries()],
    patient: { issuer, id, name, birthDate: value(0x00100030), pseudonym },
    studyUid,
    pseudoStudyUid: profile.retainUids || !studyUid ? studyUid : uid(studyUid),
    restore: Object.fromEntries(Object.entries(RESTORED).map(([kw, [tag]]) => [kw, value(tag)])),
  };
}

function checkBurnedIn(flag: string, sopClass: string, profile: DeidProfile): void {
  if (flag === 'YES' && !profile.allowBurnedInAnnotation) {
    throw new DeidError('DEID_BURNED_IN_ANNOTATION',
      'Burned In Annotation is YES: text in the pixels would leave de-identified');
  }
  if (!flag && SC_AND_US_STORAGE_CLASSES.has(sopClass) && !profile.allowScUsWithoutBurnedInFlag) {
    throw new DeidError('DEID_BURNED_IN_ANNOTATION',
      'a Secondary Capture or Ultrasound image without Burned In Annotation: it may carry text in its pixels');
  }
}

/** The meta group's string values and where the data set begins. */
function readMeta(b: Buffer): { get: (tag: number) => string | undefined; end: number } {
  const values = new Map<number, string>();
  let pos = 132;
  while (pos + 8 <= b.length && b.readUInt16LE(pos) === 0x0002) {
    const tag = (0x0002 << 16) | b.readUInt16LE(pos + 2);
    const vr = b.toString('latin1', pos + 4, pos + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    const len = long ? b.readUInt32LE(pos + 8) : b.readUInt16LE(pos + 6);
    const at = pos + (long ? 12 : 8);
    if (at + len > b.length) throw new DeidError('DEID_UNPARSEABLE', 'meta header element overruns the file');
    if (vr === 'UI') values.set(tag, b.toString('latin1', at, at + len).replace(/[\0 ]+$/, ''));
    pos = at + len;
  }
  return { get: (tag) => values.get(tag), end: pos };
}
