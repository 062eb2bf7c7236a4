// DICOM attribute names for rules: known keywords, tag → keyword, and the node's own facts.
import { createRequire } from 'node:module';

interface DictionaryEntry { tag: string; name: string }
interface DcmjsDictionary {
  data: { DicomMetaDictionary: { nameMap: Record<string, DictionaryEntry>;
    dictionary: Record<string, DictionaryEntry> } };
}
// dcmjs ships no type declarations: load it through require and type only the dictionary we read.
const { nameMap, dictionary } = (createRequire(import.meta.url)('dcmjs') as DcmjsDictionary).data.DicomMetaDictionary;

/** Facts the node knows about a study that are not DICOM attributes. */
export const STUDY_FACTS = ['CallingAE', 'CalledAE', 'Source', 'TimeOfDay', 'NumberOfInstances',
  'NumberOfSeries'] as const;
/** Facts only a series has (selectors); a series also sees every study fact except NumberOfSeries. */
export const SERIES_FACTS = ['Orientation', 'NumberOfInstances'] as const;
export const ORIENTATIONS = ['axial', 'coronal', 'sagittal', 'oblique'] as const;
export const SOURCES = ['dimse', 'stow'] as const;
/** The SOP class a measure action looks for (PS3.4 B.5). */

const TAG_PLAIN = /^[0-9A-Fa-f]{8}$/;
const TAG_PUNCTUATED = /^\(([0-9A-Fa-f]{4}),([0-9A-Fa-f]{4})\)$/;

export type AttributeRef =
  | { kind: 'fact'; name: string }
  | { kind: 'dicom'; key: string }
  | { kind: 'invalid'; reason: string };

const resolved = new Map<string, AttributeRef>();

/**
 * What a rule's `attribute` names: a node fact, a DICOM attribute (looked up in the naturalized header by its
 * dcmjs keyword, or by its 8-digit tag when the dictionary has no keyword, as for private tags), or nothing.
 * Cached: the benchmark and every study evaluation resolve the same few names again and again.
 */
export function resolveAttribute(attribute: string): AttributeRef {
  let ref = resolved.get(attribute);
  if (!ref) {
    ref = resolveUncached(attribute);
    // Bounded: names come from rules, but validation also sees every typo an admin ever sent.
    if (resolved.size < 10_000) resolved.set(attribute, ref);
  }
  return ref;
}

function resolveUncached(attribute: string): AttributeRef {
  if ((STUDY_FACTS as readonly string[]).includes(attribute)
    || (SERIES_FACTS as readonly string[]).includes(attribute)) {
    return { kind: 'fact', name: attribute };
  }
  const plain = TAG_PLAIN.test(attribute) ? attribute.toUpperCase() : tagFromPunctuated(attribute);
  if (plain) {
    const entry = dictionary[`(${plain.slice(0, 4)},${plain.slice(4)})`];
    // naturalizeDataset names an element by its dictionary name, or keeps the bare tag when there is none.
    return { kind: 'dicom', key: entry ? entry.name : plain };
  }
  // Keywords never start with a digit or '(': such a name was meant as a tag.
  if (/^[0-9(]/.test(attribute)) {
    return { kind: 'invalid',
      reason: `'${attribute}' is not a valid tag: write 8 hex digits (00080060) or (0008,0060)` };
  }
  if (Object.hasOwn(nameMap, attribute)) return { kind: 'dicom', key: attribute };
  const hint = suggestKeyword(attribute);
  return { kind: 'invalid', reason: `unknown attribute '${attribute}'${hint ? `; did you mean '${hint}'?` : ''} (a DICOM keyword, a tag, or one of ${[...STUDY_FACTS, 'Orientation'].join(', ')})` };
}

function tagFromPunctuated(attribute: string): string | null {
  const m = TAG_PUNCTUATED.exec(attribute);
  return m ? `${m[1]}${m[2]}`.toUpperCase() : null;
}

/** The closest fact or keyword: same letters in another case, or at most two typing mistakes away. */
function suggestKeyword(attribute: string): string | null {
  const wanted = attribute.replace(/[\s_-]/g, '').toLowerCase();
  let best: string | null = null;
  let bestDistance = 3;
  for (const name of [...STUDY_FACTS, ...SERIES_FACTS, ...Object.keys(nameMap)]) {
    if (Math.abs(name.length - wanted.length) >= bestDistance) continue;
    const d = editDistance(name.toLowerCase(), wanted, bestDistance);
    if (d < bestDistance) { best = name; bestDistance = d; }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...current) >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
}
