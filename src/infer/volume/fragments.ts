// The compressed frames of an encapsulated Part 10 file, found by walking its elements in the raw bytes:
// the pixel pass of a compressed series reads each file once and never parses it with dcmjs (~2 ms a file).
// Encapsulated syntaxes are always explicit VR little endian (PS3.5 A.4), which is all this walker reads.
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;
const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const ITEM_END = 0xfffee00d;
const SEQUENCE_END = 0xfffee0dd;

class Malformed extends Error {}

/**
 * The `frameCount` frames of the file's encapsulated PixelData, each a view into `file` when it is one
 * fragment, else a copy of its fragments joined. Undefined when the file is not laid out as expected (the
 * caller then takes the general dcmjs path, which gives the precise refusal).
 */
export function encapsulatedFrames(file: Uint8Array, frameCount: number): Uint8Array[] | undefined {
  try {
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const valueAt = findPixelData(file, view, datasetStart(file, view));
    const [offsetTable, ...fragments] = readItems(view, valueAt);
    if (!offsetTable || fragments.length === 0) return undefined;
    const frames = groupFrames(file, view, offsetTable, fragments, frameCount);
    return frames?.map((parts) =>
      (parts.length === 1 ? file.subarray(parts[0]!.at, parts[0]!.at + parts[0]!.length) : join(file, parts)));
  } catch (err) {
    if (err instanceof Malformed || err instanceof RangeError) return undefined;
    throw err;
  }
}

interface Item { at: number; length: number }

/** After the preamble, DICM and the (explicit VR LE) meta group. */
function datasetStart(file: Uint8Array, view: DataView): number {
  if (file.length < 132 || String.fromCharCode(...file.subarray(128, 132)) !== 'DICM') throw new Malformed();
  let pos = 132;
  while (view.getUint16(pos, true) === 0x0002) pos = end(file, view, header(file, view, pos));
  return pos;
}

function findPixelData(file: Uint8Array, view: DataView, pos: number): number {
  while (pos + 8 <= file.length) {
    const element = header(file, view, pos);
    if (element.tag === PIXEL_DATA) {
      if (element.length !== UNDEFINED) throw new Malformed(); // native data in an encapsulated syntax
      return element.valueAt;
    }
    pos = end(file, view, element);
  }
  throw new Malformed();
}

interface ElementHeader { tag: number; length: number; valueAt: number }

function header(file: Uint8Array, view: DataView, pos: number): ElementHeader {
  const tag = tagAt(view, pos);
  const vr = String.fromCharCode(file[pos + 4]!, file[pos + 5]!);
  const long = LONG_VRS.has(vr);
  if (!long && !/^[A-Z]{2}$/.test(vr)) throw new Malformed();
  return { tag, length: long ? view.getUint32(pos + 8, true) : view.getUint16(pos + 6, true),
    valueAt: pos + (long ? 12 : 8) };
}

/** Past the element's value, or past the delimiter of an undefined-length one (sequence or nested pixel data). */
function end(file: Uint8Array, view: DataView, h: ElementHeader): number {
  if (h.length === UNDEFINED) return skipItems(file, view, h.valueAt);
  if (h.valueAt + h.length > file.length) throw new Malformed();
  return h.valueAt + h.length;
}

/** Past the sequence delimiter of an undefined-length sequence (items of either length kind). */
function skipItems(file: Uint8Array, view: DataView, pos: number): number {
  for (;;) {
    const tag = tagAt(view, pos);
    const length = view.getUint32(pos + 4, true);
    if (tag === SEQUENCE_END) return pos + 8;
    if (tag !== ITEM) throw new Malformed();
    if (length !== UNDEFINED) {
      pos += 8 + length;
      continue;
    }
    for (pos += 8; tagAt(view, pos) !== ITEM_END; ) pos = end(file, view, header(file, view, pos));
    pos += 8;
  }
}

function tagAt(view: DataView, pos: number): number {
  return ((view.getUint16(pos, true) << 16) | view.getUint16(pos + 2, true)) >>> 0;
}

/** The items of encapsulated pixel data: the basic offset table first, then the fragments. */
function readItems(view: DataView, pos: number): Item[] {
  const items: Item[] = [];
  for (;;) {
    const tag = tagAt(view, pos);
    if (tag === SEQUENCE_END) return items;
    const length = view.getUint32(pos + 4, true);
    if (tag !== ITEM || length === UNDEFINED || pos + 8 + length > view.byteLength) throw new Malformed();
    items.push({ at: pos + 8, length });
    pos += 8 + length;
  }
}

/** Fragments per frame: all for one frame, one each, the offset table's runs, or runs that start with SOI/SOC. */
function groupFrames(file: Uint8Array, view: DataView, table: Item, fragments: Item[],
  frameCount: number): Item[][] | undefined {
  if (frameCount === 1) return [fragments];
  if (fragments.length === frameCount) return fragments.map((f) => [f]);
  let starts: number[];
  if (table.length === 4 * frameCount) {
    // offsets count from the first fragment's item tag
    const base = fragments[0]!.at - 8;
    const byOffset = new Map(fragments.map((f, n) => [f.at - 8 - base, n]));
    starts = Array.from({ length: frameCount }, (_, n) => byOffset.get(view.getUint32(table.at + 4 * n, true)) ?? -1);
  } else {
    starts = fragments.flatMap((f, n) =>
      (file[f.at] === 0xff && (file[f.at + 1] === 0xd8 || file[f.at + 1] === 0x4f) ? [n] : []));
  }
  if (starts.length !== frameCount || starts.some((s, n) => s < 0 || (n > 0 && s <= starts[n - 1]!))) return undefined;
  return starts.map((s, n) => fragments.slice(s, starts[n + 1] ?? fragments.length));
}

function join(file: Uint8Array, parts: Item[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(file.subarray(p.at, p.at + p.length), at);
    at += p.length;
  }
  return out;
}
