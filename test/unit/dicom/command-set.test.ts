// The DIMSE command set reader and response writer the lean receive path uses instead of dcmjs-dimse.
import { describe, expect, it } from 'vitest';
import { CommandField, MalformedCommandSet, NO_DATA_SET,
  encodeResponse, parseCommandSet } from '../../../src/dicom/command-set.js';
import { storeCommandSet } from '../../support/raw-association.js';

const el = (element: number, value: Buffer, group = 0) => {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.writeUInt32LE(value.length, 4);
  return Buffer.concat([h, value]);
};
const us = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };

/** Every element of a command set as [element, value], checking group and lengths on the way. */
function elements(bytes: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let pos = 0; pos < bytes.length;) {
    expect(bytes.readUInt16LE(pos)).toBe(0);
    const len = bytes.readUInt32LE(pos + 4);
    out.push([bytes.readUInt16LE(pos + 2), bytes.subarray(pos + 8, pos + 8 + len)]);
    pos += 8 + len;
  }
  return out;
}

describe('parseCommandSet', () => {
  it('reads a C-STORE-RQ as an SCU writes it', () => {
    const c = parseCommandSet(storeCommandSet('1.2.3.4.5'));
    expect(c).toEqual({ commandField: CommandField.CStoreRq, messageId: 7,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstanceUid: '1.2.3.4.5', hasDataSet: true });
  });

  it('knows a command without a data set', () => {
    const echo = Buffer.concat([el(0x0100, us(0x0030)), el(0x0110, us(3)), el(0x0800, us(NO_DATA_SET))]);
    expect(parseCommandSet(echo)).toMatchObject(
      { commandField: CommandField.CEchoRq, messageId: 3, hasDataSet: false });
  });

  it.each([
    ['an element outside group 0000',
      Buffer.concat([el(0x0100, us(1)), el(0x0010, us(1), 0x0008)]), /outside group 0000/],
    ['a value running past the end', el(0x0100, us(1)).subarray(0, 9), /overruns/],
    ['a cut element header', Buffer.concat([el(0x0100, us(1)), Buffer.alloc(5)]), /inside an element header/],
    ['elements out of order', Buffer.concat([el(0x0800, us(NO_DATA_SET)), el(0x0100, us(1))]), /out of order/],
    ['no Command Field', el(0x0800, us(NO_DATA_SET)), /lacks Command Field/],
    ['a Command Field that is not US',
      Buffer.concat([el(0x0100, Buffer.alloc(4)), el(0x0800, us(NO_DATA_SET))]), /not a 2-byte US/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(() => parseCommandSet(bytes)).toThrow(MalformedCommandSet);
    expect(() => parseCommandSet(bytes)).toThrow(message);
  });
});

describe('encodeResponse', () => {
  it('writes a C-STORE-RSP with its group length, ascending even-length elements and the error comment', () => {
    const bytes = encodeResponse({
      commandField: CommandField.CStoreRsp, messageIdBeingRespondedTo: 7, status: 0xa700, comment: 'x'.repeat(70),
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstanceUid: '1.2.3.4.5',
    });
    const els = elements(bytes);
    expect(els.map(([e]) => e)).toEqual([0x0000, 0x0002, 0x0100, 0x0120, 0x0800, 0x0900, 0x0902, 0x1000]);
    expect(els[0][1].readUInt32LE(0)).toBe(bytes.length - 12);
    for (const [, v] of els) expect(v.length % 2).toBe(0);
    expect(els[1][1].toString('latin1')).toBe('1.2.840.10008.5.1.4.1.1.2\0');
    expect(els[5][1].readUInt16LE(0)).toBe(0xa700);
    expect(els[6][1].toString('latin1')).toBe('x'.repeat(64));
    expect(els[7][1].toString('latin1')).toBe('1.2.3.4.5\0');
    // and it reads back as a response that carries no data set
    expect(parseCommandSet(bytes)).toMatchObject(
      { commandField: 0x8001, hasDataSet: false, affectedSopInstanceUid: '1.2.3.4.5' });
  });
});
