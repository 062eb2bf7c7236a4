// Applies a profile's actions to a parsed data set, element by element and recursively in sequences. Whatever an
// action leaves alone is copied as the original bytes (pixel data included); only named elements are re-encoded.
import { type Element, dictionaryVr, isPrivate, stringValue, tagHex } from './dataset.js';
import { element, sequence, textElement } from './encode.js';
import { actionFor, type DeidProfile, rowFor } from './profile.js';
import { cleanText, dummyValue, shiftDates } from './values.js';

const TEXT_VALUE = 0x0040a160;
const TEXT_VRS = new Set(['LO', 'SH', 'LT', 'ST', 'UT', 'UC', 'PN', 'CS']);

export interface RewriteContext {
  b: Buffer;
  profile: DeidProfile;
  /** pseudonymous UID for an original one (the caller records the pairs) */
  uid: (original: string) => string;
  dateShiftDays: number;
  /** identifying words C removes from text */
  identifiers: string[];
  /** top-level replacements and additions, by tag: encoded elements, or null to drop */
  overrides: Map<number, (explicit: boolean) => Buffer | null>;
}

export interface Rewritten { parts: Buffer[]; changed: boolean }

export function rewriteElements(elements: Element[], explicit: boolean, ctx: RewriteContext, topLevel: boolean,
  structured = false): Rewritten {
  const parts: Buffer[] = [];
  let changed = false;
  const pending = topLevel ? [...ctx.overrides.keys()].sort((a, b) => a - b) : [];
  const flushBefore = (tag: number) => {
    while (pending.length && pending[0] < tag) {
      const out = ctx.overrides.get(pending.shift()!)!(explicit);
      if (out) { parts.push(out); changed = true; }
    }
  };
  const creators = privateCreators(elements, ctx);
  for (const el of elements) {
    flushBefore(el.tag);
    if (pending[0] === el.tag) {
      const out = ctx.overrides.get(pending.shift()!)!(explicit);
      if (out) parts.push(out);
      changed = true;
      continue;
    }
    const out = rewriteOne(el, explicit, ctx, structured, creators);
    if (out === 'same') parts.push(ctx.b.subarray(el.start, el.end));
    else { changed = true; if (out) parts.push(out); }
  }
  flushBefore(0x100000000);
  return { parts, changed };
}

/** Block number → creator kept, for the private groups of one data set level. */
function privateCreators(elements: Element[], ctx: RewriteContext): Set<number> {
  const kept = new Set<number>();
  for (const el of elements) {
    const e = el.tag & 0xffff;
    const creator = isPrivate(el.tag) && e >= 0x10 && e <= 0xff;
    if (creator && ctx.profile.keepPrivateCreators.includes(stringValue(ctx.b, el).trim())) {
      kept.add(((el.tag >>> 16) << 8) | e);
    }
  }
  return kept;
}

function rewriteOne(el: Element, explicit: boolean, ctx: RewriteContext, structured: boolean,
  creators: Set<number>): Buffer | null | 'same' {
  const group = el.tag >>> 16;
  const elementNo = el.tag & 0xffff;
  if (elementNo === 0 && group !== 0x0002) return null; // group lengths would be wrong once anything changes
  if (group >= 0x6000 && group <= 0x60ff && group % 2 === 0) return null; // overlays: data and comments are X
  if (isPrivate(el.tag)) {
    const block = elementNo >= 0x1000 ? (group << 8) | (elementNo >>> 8)
      : elementNo >= 0x10 && elementNo <= 0xff ? (group << 8) | elementNo : -1;
    return creators.has(block) ? 'same' : null;
  }
  const row = rowFor(tagHex(el.tag));
  let action = row ? actionFor(row, ctx.profile) : 'K';
  if (!row && structured && el.tag === TEXT_VALUE) action = 'C';
  // X on an attribute of standard IODs is written as zero length: the value is gone either way, and a Type 2
  // attribute (RT Beams' Treatment Machine Name) stays present, so the IOD stays valid without knowing its types.
  // Sequences (an empty one breaks "1-n items"), digital signatures, MACs and trailing padding are removed.
  const removedWhole = group === 0xfffa || group === 0xfffc || group === 0x0400;
  if (action === 'X' && row?.inStdIod && !el.items && !removedWhole) action = 'Z';
  const vr = el.vr === 'UN' ? dictionaryVr(el.tag) : el.vr;
  const outVr = explicit ? (vr === 'UN' || !el.items ? vr : el.vr === 'UN' ? 'UN' : 'SQ') : vr;
  switch (action) {
    case 'K': case 'keep-recurse': return el.items ? recurse(el, explicit, ctx, structured) : 'same';
    case 'X': return null;
    case 'Z':
      return el.items ? sequence(el.tag, el.vr === 'UN' ? 'UN' : 'SQ', [], explicit)
        : element(el.tag, outVr, Buffer.alloc(0), explicit);
    case 'D': {
      if (el.items) return recurse(el, explicit, ctx, structured);
      const dummy = dummyValue(vr);
      return dummy === undefined ? element(el.tag, outVr, Buffer.alloc(0), explicit)
        : textElement(el.tag, outVr, dummy, explicit);
    }
    case 'U': {
      if (el.items) return recurse(el, explicit, ctx, structured);
      const value = stringValue(ctx.b, el);
      if (vr !== 'UI') return textElement(el.tag, outVr, dummyValue(vr) ?? '', explicit);
      return textElement(el.tag, outVr, value.split('\\').map((u) => (u ? ctx.uid(u.trim()) : u)).join('\\'), explicit);
    }
    case 'C': {
      if (el.items) return recurse(el, explicit, ctx, true);
      const value = stringValue(ctx.b, el);
      if (vr === 'DA' || vr === 'DT') {
        if (ctx.profile.longitudinal !== 'modified') return 'same';
        return textElement(el.tag, outVr, shiftDates(value, vr, ctx.dateShiftDays), explicit);
      }
      if (vr === 'TM') return 'same';
      if (TEXT_VRS.has(vr)) {
        const cleaned = cleanText(value, ctx.identifiers);
        return cleaned === value ? 'same' : textElement(el.tag, outVr, cleaned, explicit);
      }
      return null; // nothing this cleaner can vouch for
    }
  }
}

function recurse(el: Element, explicit: boolean, ctx: RewriteContext, structured: boolean): Buffer | 'same' {
  let changed = false;
  const bodies = el.items!.map((item) => {
    const r = rewriteElements(item.elements, el.itemsExplicit!, ctx, false, structured);
    changed ||= r.changed;
    return Buffer.concat(r.parts);
  });
  return changed ? sequence(el.tag, el.vr === 'UN' ? 'UN' : 'SQ', bodies, explicit) : 'same';
}
