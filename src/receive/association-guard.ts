// What a peer may send, and when, on one association of the SCP: whole PDUs from the framer, at
// most one A-ASSOCIATE-RQ and only a well-formed one, no release before the association is
// accepted. The first violation ends the association: the caller answers it (A-ASSOCIATE-RJ or
// A-ABORT) and acts on no further PDU (dcmjs-dimse, which reads the negotiation, would otherwise
// act on it or stay silent).
import { checkAssociateRq, type AssociateRqFault } from './associate-rq.js';
import { PduFramer, PduViolation, type Pdu, type PduLimits } from './pdu-framer.js';

export interface GuardLimits extends PduLimits { accepted: () => boolean }

export interface Screened {
  /** PDUs to act on, in order. */
  pdus: Pdu[];
  /** Set when the chunk held a violation; PDUs after it are dropped. */
  fault?: AssociateRqFault;
}

const UNEXPECTED_PDU = 2;

export class AssociationGuard {
  private readonly framer: PduFramer;
  private requested = false;
  private failed = false;

  constructor(private readonly limits: GuardLimits) {
    this.framer = new PduFramer(limits);
  }

  /** True while a PDU has begun and not ended: a connection closed now cut a PDU short. */
  get midPdu(): boolean {
    return this.framer.midPdu;
  }

  push(chunk: Buffer): Screened {
    if (this.failed) return { pdus: [] };
    let framed: Pdu[];
    try {
      framed = this.framer.push(chunk);
    } catch (err) {
      if (!(err instanceof PduViolation)) throw err;
      // PDUs completed earlier in this chunk are lost with it; the association ends anyway.
      return this.fail({ answer: 'abort', reason: err.reason, why: err.message });
    }
    const pdus: Pdu[] = [];
    for (const pdu of framed) {
      const fault = this.screen(pdu);
      if (fault) {
        this.failed = true;
        return { pdus, fault };
      }
      pdus.push(pdu);
    }
    return { pdus };
  }

  private screen(pdu: Pdu): AssociateRqFault | undefined {
    const type = pdu.type;
    if (type === 0x01) {
      if (this.requested) return { answer: 'abort', reason: UNEXPECTED_PDU,
        why: 'a second A-ASSOCIATE-RQ on this association' };
      this.requested = true;
      return checkAssociateRq(pdu.bytes());
    }
    if (!this.requested && type !== 0x07) return { answer: 'abort', reason: UNEXPECTED_PDU,
      why: `PDU type 0x0${type} before the A-ASSOCIATE-RQ` };
    if (type === 0x05 && !this.limits.accepted()) return { answer: 'abort', reason: UNEXPECTED_PDU,
      why: 'A-RELEASE-RQ before the association was accepted' };
    // The node never requests a release, so a release response is always out of place.
    if (type === 0x06) return { answer: 'abort', reason: UNEXPECTED_PDU,
      why: 'A-RELEASE-RP that answers no A-RELEASE-RQ' };
    return undefined;
  }

  private fail(fault: AssociateRqFault): Screened {
    this.failed = true;
    return { pdus: [], fault };
  }
}
