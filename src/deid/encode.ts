// Writes new elements and sequences (explicit or implicit VR little endian), padded as PS3.5 6.2 requires.
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

export function header(tag: number, vr: string, length: number, explicit: boolean): Buffer {
  if (!explicit) {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(tag >>> 16, 0); h.writeUInt16LE(tag & 0xffff, 2); h.writeUInt32LE(length >>> 0, 4);
    return h;
  }
  const long = LONG_VRS.has(vr);
  if (!long && length > 0xffff) return header(tag, 'UN', length, true);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(tag >>> 16, 0); h.writeUInt16LE(tag & 0xffff, 2); h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(length >>> 0, 8); else h.writeUInt16LE(length, 6);
  return h;
}

/** A text value padded to even length (UI with NUL, others with a space). */
export function textValue(vr: string, s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 ? Buffer.concat([b, Buffer.from([vr === 'UI' ? 0 : 0x20])]) : b;
}

export function element(tag: number, vr: string, value: Buffer, explicit: boolean): Buffer {
  return Buffer.concat([header(tag, vr, value.length, explicit), value]);
}

export function textElement(tag: number, vr: string, s: string, explicit: boolean): Buffer {
  return element(tag, vr, textValue(vr, s), explicit);
}

/** A sequence of defined length from already encoded item bodies. */
export function sequence(tag: number, vr: 'SQ' | 'UN', itemBodies: Buffer[], explicit: boolean): Buffer {
  const items = itemBodies.map((body) => {
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0xfffe, 0); h.writeUInt16LE(0xe000, 2); h.writeUInt32LE(body.length, 4);
    return Buffer.concat([h, body]);
  });
  return element(tag, vr, Buffer.concat(items), explicit);
}
