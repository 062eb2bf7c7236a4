// The Part-10 preamble + file meta group put in front of a data set received over DIMSE.
// Written directly (explicit VR little endian, PS3.10 7.1): it is on the per-instance hot path, and
// dcmjs's general writer cost ~0.6 ms an instance here; tests read every stored file with pydicom
// and DCMTK.
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../implementation.js';

export function part10Prefix(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string,
  sourceAe: string): Buffer {
  const elements = [
    element(0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 'UI', text(sopClassUid, 0)),
    element(0x0003, 'UI', text(sopInstanceUid, 0)),
    element(0x0010, 'UI', text(transferSyntaxUid, 0)),
    element(0x0012, 'UI', text(IMPLEMENTATION_CLASS_UID, 0)),
    element(0x0013, 'SH', text(IMPLEMENTATION_VERSION_NAME, 0x20)),
  ];
  if (sourceAe) elements.push(element(0x0016, 'AE', text(sourceAe.slice(0, 16), 0x20)));
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, element(0x0000, 'UL', groupLength), body]);
}

/** A group 0002 element; OB has the long (4-byte) length form. */
function element(elementNumber: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB';
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

/** Even-length value: UIs are padded with NUL, other strings with a space. */
function text(s: string, pad: number): Buffer {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 ? Buffer.concat([b, Buffer.from([pad])]) : b;
}
