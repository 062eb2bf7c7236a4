// PDVs read over the slices a P-DATA-TF arrived in: the same values whatever the chunking, no copies,
// and a malformed PDV refused (the association answers it with A-ABORT).
import { describe, expect, it } from 'vitest';
import { PduFramer, PduViolation, type Pdu } from '../../../src/receive/pdu-framer.js';
import { readPdvs } from '../../../src/receive/pdv.js';
import { pdu, pdv } from '../../support/raw-association.js';

const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13 + seed) & 0xff));
const framed = (stream: Buffer, chunk: number): Pdu[] => {
  const f = new PduFramer({ maxAssociateRq: 1024, maxPData: () => 65536 });
  const out: Pdu[] = [];
  for (let i = 0; i < stream.length; i += chunk) out.push(...f.push(stream.subarray(i, i + chunk)));
  return out;
};

describe('readPdvs', () => {
  const body = Buffer.concat(
    [pdv(1, 0x01, bytes(30, 1)), pdv(1, 0x03, bytes(3, 2)), pdv(3, 0x00, bytes(500, 3)), pdv(3, 0x02, bytes(0, 4))]);

  it.each([1, 3, 6, 7, 64, 10_000])('reads the same PDVs when the PDU arrives in %i-byte chunks', (chunk) => {
    const [p] = framed(pdu(0x04, body), chunk);
    const pdvs = readPdvs(p);
    expect(pdvs.map((v) => [v.contextId, v.command, v.last, v.length])).toEqual(
      [[1, true, false, 30], [1, true, true, 3], [3, false, false, 500], [3, false, true, 0]]);
    expect(pdvs.map((v) => Buffer.concat(v.value).toString('hex'))).toEqual(
      [bytes(30, 1), bytes(3, 2), bytes(500, 3), bytes(0, 4)].map((b) => b.toString('hex')));
  });

  it('hands out slices of the arriving chunks, not copies', () => {
    const stream = pdu(0x04, pdv(1, 0x00, bytes(200, 5)));
    const first = stream.subarray(0, 100);
    const [p] = framed(stream, 100);
    const [v] = readPdvs(p);
    expect(v.value.map((s) => s.length)).toEqual([88, 100, 12]);
    first[50] ^= 0xff;
    expect(v.value[0][50 - 12]).toBe(first[50]);
  });

  it.each([
    ['a PDV length beyond its PDU',
      (() => { const b = pdv(1, 0, bytes(10, 0)); b.writeUInt32BE(99, 0); return b; })(), /does not fit/],
    ['a PDV length below 2',
      (() => { const b = pdv(1, 0, bytes(0, 0)); b.writeUInt32BE(1, 0); return b; })(), /does not fit/],
    ['a PDU ending inside a PDV header',
      Buffer.concat([pdv(1, 0, bytes(4, 0)), Buffer.alloc(3)]), /inside a PDV header/],
    ['reserved control bits', pdv(1, 0x04, bytes(4, 0)), /reserved bits/],
    ['no PDV at all', Buffer.alloc(0), /holds no PDV/],
  ])('refuses %s', (_what, pdvBytes, message) => {
    const [p] = framed(pdu(0x04, pdvBytes), 1000);
    expect(() => readPdvs(p)).toThrow(PduViolation);
    expect(() => readPdvs(p)).toThrow(message);
  });
});
