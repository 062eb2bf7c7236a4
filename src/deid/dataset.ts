// An element-level view of a little endian data set: where each element's header and value lie in the bytes, and
// the items of its sequences, without decoding values. The rewriter copies the bytes of what it does not change.
import dcmjs from 'dcmjs';
import { DeidError } from './errors.js';

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQ_END = 0xfffee0dd;
type Dictionary = Record<string, { vr: string }>;
const dictionary = (dcmjs as unknown as { data: { DicomMetaDictionary: { dictionary: Dictionary } } })
  .data.DicomMetaDictionary.dictionary;

export interface Element {
  tag: number;
  /** as written (explicit VR), else from the dictionary (UN when unknown) */
  vr: string;
  start: number;
  valueAt: number;
  /** byte length of the value; for undefined length, up to (not including) the sequence delimiter */
  length: number;
  undefinedLength: boolean;
  end: number;
  /** a sequence's items (SQ, or UN of undefined length, whose items are implicit VR, PS3.5 6.2.2) */
  items?: Item[];
  /** whether this element's items are encoded explicit VR */
  itemsExplicit?: boolean;
}

export interface Item { start: number; end: number; elements: Element[] }

export const tagHex = (tag: number) => tag.toString(16).padStart(8, '0');
export const isPrivate = (tag: number) => ((tag >>> 16) & 1) === 1;

/** The VR the data dictionary gives a (non-repeating) tag; UN when it gives none. */
export function dictionaryVr(tag: number): string {
  const t = tagHex(tag).toUpperCase();
  const vr = dictionary[`(${t.slice(0, 4)},${t.slice(4)})`]?.vr ?? 'UN';
  return /^[A-Z]{2}$/.test(vr) ? vr : vr.slice(0, 2); // "US or SS" → US: the value bytes are the same
}

/** Parses the elements from `pos` to `end` (or to an item delimiter when `inItem` and undefined length). */
export function parseElements(b: Buffer, pos: number, end: number, explicit: boolean, stopAtItemEnd = false):
  { elements: Element[]; next: number } {
  const elements: Element[] = [];
  while (pos < end) {
    need(b, pos, 8);
    const tag = ((b.readUInt16LE(pos) << 16) | b.readUInt16LE(pos + 2)) >>> 0;
    if (tag === ITEM_END && stopAtItemEnd) return { elements, next: pos + 8 };
    let vr: string; let length: number; let valueAt: number;
    if (explicit) {
      vr = b.toString('latin1', pos + 4, pos + 6);
      if (!/^[A-Z]{2}$/.test(vr)) {
        throw new DeidError('DEID_UNPARSEABLE', `invalid VR at ${tagHex(tag)}, offset ${pos}`);
      }
      if (LONG_VRS.has(vr)) {
        need(b, pos, 12); length = b.readUInt32LE(pos + 8); valueAt = pos + 12;
      } else { length = b.readUInt16LE(pos + 6); valueAt = pos + 8; }
    } else {
      length = b.readUInt32LE(pos + 4); valueAt = pos + 8;
      vr = dictionaryVr(tag);
      // undefined length in implicit VR is a sequence
      if (length === UNDEFINED && vr !== 'SQ' && tag !== 0x7fe00010) vr = 'SQ';
    }
    const el: Element = { tag, vr, start: pos, valueAt, length, undefinedLength: length === UNDEFINED, end: 0 };
    if (length === UNDEFINED) {
      if (vr === 'SQ' || vr === 'UN') {
        const itemsExplicit = vr === 'SQ' ? explicit : false;
        const r = parseItems(b, valueAt, b.length, itemsExplicit, true);
        Object.assign(el, { items: r.items, itemsExplicit, length: r.delimiterAt - valueAt, end: r.next });
      } else {
        const d = skipFragments(b, valueAt);
        Object.assign(el, { length: d - valueAt, end: d + 8 });
      }
    } else {
      if (valueAt + length > end) {
        throw new DeidError('DEID_UNPARSEABLE', `element ${tagHex(tag)} overruns its container (truncated)`);
      }
      el.end = valueAt + length;
      if (vr === 'SQ') {
        el.items = parseItems(b, valueAt, el.end, explicit, false).items;
        el.itemsExplicit = explicit;
      }
    }
    elements.push(el);
    pos = el.end;
  }
  if (stopAtItemEnd) throw new DeidError('DEID_UNPARSEABLE', 'item without its delimiter (truncated)');
  return { elements, next: pos };
}

function parseItems(b: Buffer, pos: number, end: number, explicit: boolean, delimited: boolean) {
  const items: Item[] = [];
  for (;;) {
    if (!delimited && pos >= end) return { items, delimiterAt: pos, next: pos };
    need(b, pos, 8);
    const tag = ((b.readUInt16LE(pos) << 16) | b.readUInt16LE(pos + 2)) >>> 0;
    const length = b.readUInt32LE(pos + 4);
    if (tag === SEQ_END && delimited) return { items, delimiterAt: pos, next: pos + 8 };
    if (tag !== ITEM) {
      throw new DeidError('DEID_UNPARSEABLE', `expected an item at offset ${pos}, found ${tagHex(tag)}`);
    }
    if (length === UNDEFINED) {
      const r = parseElements(b, pos + 8, b.length, explicit, true);
      items.push({ start: pos, end: r.next, elements: r.elements });
      pos = r.next;
    } else {
      if (pos + 8 + length > end) {
        throw new DeidError('DEID_UNPARSEABLE', `item at offset ${pos} overruns its sequence`);
      }
      const r = parseElements(b, pos + 8, pos + 8 + length, explicit);
      items.push({ start: pos, end: pos + 8 + length, elements: r.elements });
      pos += 8 + length;
    }
  }
}

/** Encapsulated pixel data: returns the offset of its sequence delimiter. */
function skipFragments(b: Buffer, pos: number): number {
  for (;;) {
    need(b, pos, 8);
    const tag = ((b.readUInt16LE(pos) << 16) | b.readUInt16LE(pos + 2)) >>> 0;
    if (tag === SEQ_END) return pos;
    if (tag !== ITEM) throw new DeidError('DEID_UNPARSEABLE', `expected a fragment at offset ${pos}`);
    pos += 8 + b.readUInt32LE(pos + 4);
  }
}

function need(b: Buffer, pos: number, n: number) {
  if (pos + n > b.length) throw new DeidError('DEID_UNPARSEABLE', 'data set ends inside an element header (truncated)');
}

/** A string value as stored (trailing NUL/space padding removed). */
export function stringValue(b: Buffer, el: Element): string {
  return b.toString('latin1', el.valueAt, el.valueAt + el.length).replace(/[\0 ]+$/, '');
}
