// The strict A-ASSOCIATE-RQ check in front of dcmjs-dimse: well-formed requests pass, and each
// handcrafted fault gets the answer PS3.8 gives it (A-ASSOCIATE-RJ where a reject reason exists).
import { describe, expect, it } from 'vitest';
import { checkAssociateRq } from '../../../src/receive/associate-rq.js';
import { associateRq, handcraftedCases } from '../../support/malformed-associate.js';

// Whole, complete A-ASSOCIATE-RQs only: other PDU types and cut PDUs are the framer's and guard's.
const rqCases = handcraftedCases('DICOM_AI_NODE').filter((c) =>
  c.bytes[0] === 0x01 && !c.halfClose && c.bytes.readUInt32BE(2) === c.bytes.length - 6);

describe('checkAssociateRq', () => {
  it('passes a well-formed request', () => {
    expect(checkAssociateRq(associateRq())).toBeUndefined();
  });

  it.each(rqCases.filter((c) => c.name !== 'called AE title of another node').map((c) =>
    [c.name, c] as const))('%s', (_name, c) => {
      const fault = checkAssociateRq(c.bytes);
      if (c.expect === 'accept') expect(fault).toBeUndefined();
      else expect(fault?.answer).toBe(c.expect);
    });

  it('names the fault, for the log', () => {
    const dup = rqCases.find((c) => c.name === 'duplicate presentation context id 1')!;
    expect(checkAssociateRq(dup.bytes)).toMatchObject(
      { answer: 'abort', reason: 6, why: 'presentation context id 1 proposed twice' });
  });
});
