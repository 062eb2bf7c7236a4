// The PDU framer: whole PDUs out whatever the chunking (as slices, never copies), violations refused.
import { describe, expect, it } from 'vitest';
import { PduFramer, PduViolation, type Pdu } from '../../../src/receive/pdu-framer.js';

const pdu = (type: number, body: Buffer) => {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
};
const framer = (accepted = true) =>
  new PduFramer({ maxAssociateRq: 1024, maxPData: () => (accepted ? 100 : undefined) });
const body = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff));

describe('PduFramer', () => {
  const stream = Buffer.concat(
    [pdu(0x04, body(100, 1)), pdu(0x04, body(37, 2)), pdu(0x05, Buffer.alloc(4)), pdu(0x04, body(0, 3))]);
  const expected = [pdu(0x04, body(100, 1)), pdu(0x04, body(37, 2)), pdu(0x05, Buffer.alloc(4)), pdu(0x04, body(0, 3))];

  it.each([1, 2, 5, 6, 7, 64, 1000])('returns the same whole PDUs when the stream arrives in %i-byte chunks',
    (size) => {
      const f = framer();
      const out: Pdu[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...f.push(stream.subarray(i, i + size)));
      expect(out.map((p) => p.bytes().toString('hex'))).toEqual(expected.map((b) => b.toString('hex')));
      expect(out.map((p) => p.type)).toEqual([4, 4, 5, 4]);
    });

  it('hands a PDU that spans chunks over as slices of those chunks, not as a copy', () => {
    const whole = pdu(0x04, body(100, 1));
    const first = whole.subarray(0, 40);
    const f = framer();
    expect(f.push(first)).toEqual([]);
    const [out] = f.push(whole.subarray(40));
    expect(out.parts.map((p) => p.length)).toEqual([6, 34, 66]);
    // the body slices share memory with the socket chunks (a write to the chunk shows in the slice)
    first[10] ^= 0xff;
    expect(out.parts[1][4]).toBe(first[10]);
  });

  it('refuses a P-DATA-TF larger than negotiated as soon as its header is seen', () => {
    const big = pdu(0x04, Buffer.alloc(101));
    expect(() => framer().push(big.subarray(0, 6))).toThrow(PduViolation);
  });

  it('refuses P-DATA before the association is accepted, unknown PDU types and an oversized A-ASSOCIATE-RQ', () => {
    expect(() => framer(false).push(pdu(0x04, body(10, 0)))).toThrow(/before the association/);
    expect(() => framer().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/unknown or unexpected PDU type 0x47/);
    expect(() => framer().push(pdu(0x01, Buffer.alloc(2000)))).toThrow(/A-ASSOCIATE-RQ of 2000 bytes/);
    expect(() => framer().push(pdu(0x07, Buffer.alloc(9)))).toThrow(/invalid length/);
  });
});
