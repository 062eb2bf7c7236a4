// The AssociationGuard wired onto one socket: readers get only checked whole PDUs, every violation goes to refuse.
import type { Socket } from 'node:net';
import dimse from 'dcmjs-dimse';
import { AssociationGuard } from './association-guard.js';
import type { AssociateRqFault } from './associate-rq.js';
import type { DimseService } from './dimse-service.js';
import { PduViolation, type Pdu } from './pdu-framer.js';

const { AbortReason } = dimse.constants;

/** What the guard needs of the association it guards (read when a chunk arrives: they change as it goes). */
export interface GuardedAssociation {
  maxPData: () => number | undefined;
  accepted: () => boolean;
  closing: () => boolean;
  /** Undefined until the association is accepted: the library's own listeners read the PDUs till then. */
  service: () => DimseService | undefined;
  onPdu: (service: DimseService, pdu: Pdu) => void;
  refuse: (fault: AssociateRqFault) => void;
}

export function guardSocket(sock: Socket, a: GuardedAssociation): void {
  const guard = new AssociationGuard({ maxAssociateRq: 64 * 1024, maxPData: a.maxPData, accepted: a.accepted });
  const libraryListeners = sock.listeners('data') as Array<(chunk: Buffer) => void>;
  sock.removeAllListeners('data');
  sock.on('data', (chunk: Buffer) => {
    const { pdus, fault } = guard.push(chunk);
    for (const pdu of pdus) {
      if (a.closing()) return;
      const service = a.service();
      if (service) serve(a, service, pdu);
      else for (const l of libraryListeners) l.call(sock, pdu.bytes());
    }
    if (fault && !a.closing()) a.refuse(fault);
  });
  // The listener keeps half-open connections, so a peer that stops inside a PDU and closes its
  // side still hears why (with Node's default, the socket is unwritable once the peer's FIN came).
  sock.on('end', () => {
    if (guard.midPdu && !a.closing()) a.refuse({ answer: 'abort', reason: AbortReason.InvalidPduParameter,
      why: 'connection closed inside a PDU' });
    else if (!a.closing()) sock.end();
  });
}

function serve(a: GuardedAssociation, service: DimseService, pdu: Pdu): void {
  try {
    a.onPdu(service, pdu);
  } catch (err) {
    if (!(err instanceof PduViolation)) throw err;
    a.refuse({ answer: 'abort', reason: err.reason, why: err.message });
  }
}
