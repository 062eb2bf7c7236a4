// The per-connection PDU guard: one well-formed A-ASSOCIATE-RQ, releases only when accepted, and the
// first violation stops everything after it (so dcmjs-dimse never acts on a second request).
import { describe, expect, it } from 'vitest';
import { AssociationGuard } from '../../../src/receive/association-guard.js';
import { associateRq, ctContext, appContext, userInfo } from '../../support/malformed-associate.js';
import { pdu } from '../../support/raw-association.js';

const guard = (accepted = { value: false }) => new AssociationGuard(
  { maxAssociateRq: 64 * 1024, maxPData: () => (accepted.value ? 16384 : undefined), accepted: () => accepted.value });
const release = pdu(0x05, Buffer.alloc(4));

describe('AssociationGuard', () => {
  it('passes one request, then refuses a second with A-ABORT "unexpected PDU", dropping what follows', () => {
    const accepted = { value: false };
    const g = guard(accepted);
    const first = g.push(associateRq());
    expect(first.fault).toBeUndefined();
    expect(first.pdus.map((p) => p.bytes())).toEqual([associateRq()]);
    accepted.value = true;
    const second = g.push(Buffer.concat([release, associateRq(), release]));
    expect(second.pdus.map((p) => p.bytes())).toEqual([release]);
    expect(second.fault).toMatchObject(
      { answer: 'abort', reason: 2, why: 'a second A-ASSOCIATE-RQ on this association' });
    expect(g.push(release)).toEqual({ pdus: [] });
  });

  it('refuses a release before the association was accepted, and a release response at any time', () => {
    const early = guard();
    early.push(associateRq());
    expect(early.push(release).fault).toMatchObject({ answer: 'abort', reason: 2 });
    expect(guard().push(pdu(0x06, Buffer.alloc(4))).fault).toMatchObject({ answer: 'abort' });
  });

  it('hands a malformed request on to no one, with the checker\'s answer', () => {
    const r = guard().push(associateRq([appContext, ctContext(1), ctContext(1), userInfo()]));
    expect(r.pdus).toEqual([]);
    expect(r.fault).toMatchObject({ answer: 'abort', reason: 6 });
  });

  it('knows when the connection stops inside a PDU', () => {
    const g = guard();
    g.push(associateRq().subarray(0, 20));
    expect(g.midPdu).toBe(true);
    g.push(associateRq().subarray(20));
    expect(g.midPdu).toBe(false);
  });
});
