// Re-identifies an object an external service returned under pseudonymous UIDs: every UID the mapping knows is
// mapped back (Referenced Series / SOP, Source Image, Evidence sequences, frames of reference …), the patient and
// study attributes are restored, the de-identification markers removed. A reference (Referenced SOP Instance, a
// Study or a nested Series Instance UID) that is neither known nor created by the service in the same answer is
// reported: the caller quarantines that object. Only UI elements and the restored attributes are re-encoded.
import { part10Prefix } from '../dicom/part10-meta.js';
import { TS } from '../dicom/uids.js';
import { type Element, dictionaryVr, parseElements, stringValue } from './dataset.js';
import { sequence, textElement } from './encode.js';
import { DeidError } from './errors.js';

/** Patient and study attributes kept at de-identification and restored here: keyword → [tag, VR]. */
export const RESTORED: Record<string, [number, string]> = {
  AccessionNumber: [0x00080050, 'SH'], StudyDate: [0x00080020, 'DA'], StudyTime: [0x00080030, 'TM'],
  ReferringPhysicianName: [0x00080090, 'PN'], StudyDescription: [0x00081030, 'LO'], PatientName: [0x00100010, 'PN'],
  PatientID: [0x00100020, 'LO'], IssuerOfPatientID: [0x00100021, 'LO'], PatientBirthDate: [0x00100030, 'DA'],
  PatientSex: [0x00100040, 'CS'], StudyID: [0x00200010, 'SH'],
};
const MARKERS = new Set([0x00120062, 0x00120063, 0x00120064, 0x00280303]);
const STRICT = new Set([0x00081155, 0x0020000d]); // must be known at any level; nested Series Instance UIDs too

export interface ReidResult {
  bytes: Buffer; sopClassUid: string; sopInstanceUid: string; seriesUid: string; unknown: string[];
}

export function reidentifyPart10(bytes: Buffer, original: (pseudo: string) => string | undefined,
  createdByService: ReadonlySet<string>, study: Record<string, string>): ReidResult {
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') {
    throw new DeidError('REID_UNPARSEABLE', 'not a DICOM Part 10 file');
  }
  const { ts, end } = metaOf(bytes);
  if (ts === TS.explicitBig || ts === TS.deflatedExplicitLittle) {
    throw new DeidError('REID_UNPARSEABLE', `transfer syntax ${ts} is not edited`);
  }
  const explicit = ts !== TS.implicitLittle;
  let parsed;
  try { parsed = parseElements(bytes, end, bytes.length, explicit); } catch (err) {
    throw new DeidError('REID_UNPARSEABLE', (err as Error).message);
  }
  const unknown: string[] = [];
  const mapValue = (tag: number, v: string, nested: boolean) => {
    const known = original(v);
    if (known) return known;
    if ((STRICT.has(tag) || (nested && tag === 0x0020000e)) && !createdByService.has(v)) unknown.push(v);
    return v;
  };
  const restore = new Map<number, Buffer | null>();
  for (const [kw, [tag, vr]] of Object.entries(RESTORED)) {
    if (kw in study) restore.set(tag, textElement(tag, vr, study[kw]!, explicit));
  }
  const body = Buffer.concat(walk(bytes, parsed.elements, explicit, false, mapValue, restore));
  const top = new Map(parsed.elements.map((e) => [e.tag, e]));
  const value = (tag: number) => { const e = top.get(tag); return e ? stringValue(bytes, e).trim() : ''; };
  const sopClassUid = value(0x00080016);
  const sopInstanceUid = original(value(0x00080018)) ?? value(0x00080018);
  return {
    bytes: Buffer.concat([part10Prefix(sopClassUid, sopInstanceUid, ts, ''), body]),
    sopClassUid, sopInstanceUid, seriesUid: original(value(0x0020000e)) ?? value(0x0020000e),
    unknown: [...new Set(unknown)],
  };
}

type MapValue = (tag: number, v: string, nested: boolean) => string;

function walk(b: Buffer, elements: Element[], explicit: boolean, nested: boolean, map: MapValue,
  restore: Map<number, Buffer | null>): Buffer[] {
  const parts: Buffer[] = [];
  const pending = nested ? [] : [...restore.keys()].sort((x, y) => x - y);
  const flush = (tag: number) => {
    while (pending.length && pending[0]! < tag) {
      const out = restore.get(pending.shift()!);
      if (out) parts.push(out);
    }
  };
  for (const el of elements) {
    flush(el.tag);
    if (pending[0] === el.tag) { const out = restore.get(pending.shift()!); if (out) parts.push(out); continue; }
    if (!nested && (MARKERS.has(el.tag) || ((el.tag & 0xffff) === 0 && el.tag >>> 16 !== 2))) continue;
    if (el.items) {
      const items = el.items;
      const bodies = items.map((item) => Buffer.concat(walk(b, item.elements, el.itemsExplicit!, true, map, restore)));
      const bodyOf = (i: number) => {
        const { start, end } = items[i]!;
        return b.subarray(start + 8, end - (isDelimited(b, end) ? 8 : 0));
      };
      const same = bodies.every((body, i) => body.equals(bodyOf(i)));
      parts.push(same ? b.subarray(el.start, el.end)
        : sequence(el.tag, el.vr === 'UN' ? 'UN' : 'SQ', bodies, explicit));
      continue;
    }
    const vr = el.vr === 'UN' ? dictionaryVr(el.tag) : el.vr;
    if (vr !== 'UI') { parts.push(b.subarray(el.start, el.end)); continue; }
    const before = stringValue(b, el);
    const after = before.split('\\').map((v) => (v.trim() ? map(el.tag, v.trim(), nested) : v)).join('\\');
    parts.push(after === before ? b.subarray(el.start, el.end)
      : textElement(el.tag, explicit ? vr : 'UI', after, explicit));
  }
  flush(0x100000000);
  return parts;
}

/** Whether an item of undefined length ended with an item delimiter just before `end`. */
function isDelimited(b: Buffer, end: number): boolean {
  return end >= 8 && b.readUInt16LE(end - 8) === 0xfffe && b.readUInt16LE(end - 6) === 0xe00d;
}

function metaOf(b: Buffer): { ts: string; end: number } {
  let pos = 132;
  let ts = '';
  while (pos + 8 <= b.length && b.readUInt16LE(pos) === 0x0002) {
    const vr = b.toString('latin1', pos + 4, pos + 6);
    const long = ['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR'].includes(vr);
    const len = long ? b.readUInt32LE(pos + 8) : b.readUInt16LE(pos + 6);
    const at = pos + (long ? 12 : 8);
    if (b.readUInt16LE(pos + 2) === 0x0010) ts = b.toString('latin1', at, at + len).replace(/[\0 ]+$/, '');
    pos = at + len;
  }
  if (!ts) throw new DeidError('REID_UNPARSEABLE', 'meta header has no Transfer Syntax UID');
  return { ts, end: pos };
}

