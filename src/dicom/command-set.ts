// DIMSE command sets (PS3.7 section 9.3, annex E): group 0000, always implicit VR little endian.
// A small reader for the requests the SCP serves and a writer for its responses, so the receive
// path needs no general-purpose data set library per message.

/** Command Field values (PS3.7 E.1) the SCP acts on. */
export const CommandField = {
  CStoreRq: 0x0001,
  CStoreRsp: 0x8001,
  CEchoRq: 0x0030,
  CEchoRsp: 0x8030,
  CCancelRq: 0x0fff,
} as const;

/** Command Data Set Type (0000,0800) meaning "no data set follows". */
export const NO_DATA_SET = 0x0101;

export interface CommandSet {
  commandField: number;
  messageId: number;
  affectedSopClassUid: string;
  affectedSopInstanceUid: string;
  hasDataSet: boolean;
}

export class MalformedCommandSet extends Error {}

const TAG = {
  sopClass: 0x0002, command: 0x0100, messageId: 0x0110, respondedTo: 0x0120, dataSetType: 0x0800,
  status: 0x0900, comment: 0x0902, sopInstance: 0x1000,
};

/** Reads a command set; every element must lie in group 0000 and inside the bytes. */
export function parseCommandSet(bytes: Buffer): CommandSet {
  const out =
    { commandField: -1, messageId: -1, affectedSopClassUid: '', affectedSopInstanceUid: '', hasDataSet: false };
  let dataSetType = -1;
  let pos = 0;
  let last = -1;
  while (pos < bytes.length) {
    if (bytes.length - pos < 8) throw new MalformedCommandSet('command set ends inside an element header');
    const group = bytes.readUInt16LE(pos);
    const element = bytes.readUInt16LE(pos + 2);
    const length = bytes.readUInt32LE(pos + 4);
    pos += 8;
    const name = `(${hex(group)},${hex(element)})`;
    if (group !== 0x0000) throw new MalformedCommandSet(`element ${name} outside group 0000 in a command set`);
    if (element <= last) throw new MalformedCommandSet(`command element ${name} out of order`);
    if (length > bytes.length - pos) throw new MalformedCommandSet(`command element ${name} overruns the command set`);
    last = element;
    const value = bytes.subarray(pos, pos + length);
    pos += length;
    if (element === TAG.command) out.commandField = us(value, element);
    else if (element === TAG.messageId) out.messageId = us(value, element);
    else if (element === TAG.dataSetType) dataSetType = us(value, element);
    else if (element === TAG.sopClass) out.affectedSopClassUid = uid(value);
    else if (element === TAG.sopInstance) out.affectedSopInstanceUid = uid(value);
  }
  if (out.commandField < 0 || dataSetType < 0) {
    throw new MalformedCommandSet('command set lacks Command Field or Command Data Set Type');
  }
  out.hasDataSet = dataSetType !== NO_DATA_SET;
  return out;
}

export interface ResponseFields {
  commandField: number;
  messageIdBeingRespondedTo: number;
  status: number;
  affectedSopClassUid?: string;
  affectedSopInstanceUid?: string;
  /** Error Comment (0000,0902), at most 64 characters. */
  comment?: string;
}

/** A response command set without a data set, elements in ascending order as PS3.7 requires. */
export function encodeResponse(r: ResponseFields): Buffer {
  const elements: Buffer[] = [];
  if (r.affectedSopClassUid) elements.push(element(TAG.sopClass, text(r.affectedSopClassUid, 0)));
  elements.push(element(TAG.command, u16(r.commandField)));
  elements.push(element(TAG.respondedTo, u16(r.messageIdBeingRespondedTo)));
  elements.push(element(TAG.dataSetType, u16(NO_DATA_SET)));
  elements.push(element(TAG.status, u16(r.status)));
  if (r.comment) elements.push(element(TAG.comment, text(r.comment.slice(0, 64), 0x20)));
  if (r.affectedSopInstanceUid) elements.push(element(TAG.sopInstance, text(r.affectedSopInstanceUid, 0)));
  const body = Buffer.concat(elements);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(body.length);
  return Buffer.concat([element(0x0000, groupLength), body]);
}

function element(elementNumber: number, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(elementNumber, 2);
  header.writeUInt32LE(value.length, 4);
  return Buffer.concat([header, value]);
}

function us(value: Buffer, element: number): number {
  if (value.length !== 2) throw new MalformedCommandSet(`command element (0000,${hex(element)}) is not a 2-byte US`);
  return value.readUInt16LE(0);
}

const uid = (value: Buffer) => value.toString('latin1').replace(/[\0 ]+$/, '');
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const text = (s: string, pad: number) => {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 ? Buffer.concat([b, Buffer.from([pad])]) : b;
};
const hex = (n: number) => n.toString(16).padStart(4, '0');
