// One DICOM association on the node's SCP. dcmjs-dimse reads the A-ASSOCIATE-RQ and writes the
// answer (caller allow-list, called AE, limits, presentation contexts); once accepted, the node
// reads every PDU itself (dimse-service.ts: C-STORE, C-ECHO; release and abort here), because the
// library's per-PDU machinery cost several ms of CPU per instance. Handlers never throw across the
// network: every outcome becomes a DIMSE status or an A-ASSOCIATE-RJ / A-ABORT.
import type { Socket } from 'node:net';
import dimse from 'dcmjs-dimse';
import type { Logger } from '../log/logger.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { AssociateRqFault } from './associate-rq.js';
import { negotiate } from './context-negotiation.js';
import { DimseService, type AcceptedContext } from './dimse-service.js';
import { guardSocket } from './guarded-socket.js';
import type { Pdu } from './pdu-framer.js';
import type { CallerRule } from '../config/schema.js';
import { callerAllowed, normaliseHost } from './peer-address.js';

const { Scp, constants } = dimse;
const { RejectResult, RejectSource, RejectReason, AbortSource, AbortReason } = constants;

type Association = InstanceType<typeof dimse.association.Association>;
const A_RELEASE_RP = Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
const RELEASE_CLOSE_MS = 5000;

export interface AssociationDeps {
  aeTitle: string;
  allowedCallers: CallerRule[];
  acceptPrivateSopClasses: boolean;
  maxPduLength: number;
  store: InstanceStore;
  log: Logger;
  /** Asks the listener for a slot; false when the concurrent-association limit is reached. */
  claimSlot: () => boolean;
  releaseSlot: () => void;
}

let nextAssociationId = 1;

export class NodeAssociation extends Scp {
  readonly id = `a${nextAssociationId++}`;
  private callingAe = '';
  /** Set once the association is accepted: from then on the node reads the PDUs itself. */
  private service: DimseService | undefined;
  private accepted = false;
  private holdsSlot = false;
  private closing = false;
  private releasing = false;
  private readonly openedAt = Date.now();

  constructor(readonly sock: Socket, opts: Record<string, unknown>, private readonly deps: AssociationDeps) {
    super(sock, opts);
    guardSocket(sock, {
      maxPData: () => (this.accepted ? this.deps.maxPduLength : undefined), accepted: () => this.accepted,
      closing: () => this.closing, service: () => this.service, onPdu: (service, pdu) => this.onPdu(service, pdu),
      refuse: (fault) => this.refuse(fault),
    });
    sock.once('close', () => this.onClosed());
    // dcmjs-dimse reports a PDU it cannot read only as this event; the peer would hear nothing, so
    // the association is aborted. Its socket timeout is handled below instead.
    this.on('networkError', (err: Error) => {
      if (this.sock.destroyed || this.closing || /Connection timeout/.test(err.message)) return;
      this.deps.log.warn('dimse.protocol.violation', { associationId: this.id, callingAe: this.callingAe,
        reason: err.message });
      this.abortAssociation(err.message, AbortReason.InvalidPduParameter);
    });
    // No PDU for pduTimeoutMs (the library arms the socket timeout with it): the peer stalled, also
    // inside a PDU. A commit still running is the node's own wait, not the peer's.
    sock.on('timeout', () => {
      if (!this.service?.committing && !this.closing) this.abortAssociation('no PDU within the PDU timeout');
    });
  }

  override associationRequested(association: Association): void {
    this.callingAe = association.getCallingAeTitle().trim();
    const called = association.getCalledAeTitle().trim();
    const host = normaliseHost(this.sock.remoteAddress);
    const reject = (result: number, source: number, reason: number, why: string) => {
      this.deps.log.warn('dimse.association.rejected', { associationId: this.id, callingAe: this.callingAe,
        calledAe: called, host, reason: why });
      this.sendAssociationReject(result, source, reason);
      setTimeout(() => this.sock.destroy(), 500).unref();
    };
    if (called !== this.deps.aeTitle) return reject(RejectResult.Permanent, RejectSource.ServiceUser,
      RejectReason.CalledAeNotRecognized, 'called AE title is not this node');
    if (!callerAllowed(this.deps.allowedCallers, this.callingAe, host)) return reject(RejectResult.Permanent,
      RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized, 'calling AE title/host not in the allow-list');
    // The guard lets one A-ASSOCIATE-RQ through per connection; a slot is still claimed at most once.
    if (this.holdsSlot) return;
    if (!this.deps.claimSlot()) return reject(RejectResult.Transient, RejectSource.ServiceProviderPresentation,
      RejectReason.LocalLimitExceeded, 'too many concurrent associations');
    this.holdsSlot = true;
    const contexts = new Map<number, AcceptedContext>();
    for (const { context } of association.getPresentationContexts()) {
      const ts = negotiate(context, this.deps.acceptPrivateSopClasses);
      if (ts) contexts.set(context.getPresentationContextId(),
        { abstractSyntax: context.getAbstractSyntaxUid(), transferSyntax: ts });
    }
    // Advertise our own receive limit (dcmjs-dimse would otherwise echo the peer's).
    association.setMaxPduLength(this.deps.maxPduLength);
    this.sendAssociationAccept();
    this.accepted = true;
    this.service = new DimseService({
      associationId: this.id, callingAe: this.callingAe, calledAe: this.deps.aeTitle, contexts, store: this.deps.store,
      log: this.deps.log,
      send: (bytes) => { if (!this.sock.destroyed && !this.closing) this.sock.write(bytes); },
      // Backpressure from the store (see InstanceWriter): the peer waits in TCP while the disk catches up.
      setPaused: (paused) => (paused ? this.sock.pause() : this.sock.resume()),
      violation: (why, reason) => this.refuse({ answer: 'abort', reason, why }),
    });
    this.deps.log.info('dimse.association.accepted', { associationId: this.id, callingAe: this.callingAe,
      calledAe: called, host, contexts: contexts.size });
  }

  /** A PDU of the accepted association: P-DATA-TF, A-RELEASE-RQ or A-ABORT (the guard refused the rest). */
  private onPdu(service: DimseService, pdu: Pdu): void {
    if (pdu.type !== 0x07) {
      if (this.releasing) return this.refuse({ answer: 'abort', reason: AbortReason.UnexpectedPdu,
        why: `PDU type 0x0${pdu.type} after the A-RELEASE-RQ` });
      return pdu.type === 0x04 ? service.onPData(pdu) : this.release(service);
    }
    const head = pdu.bytes();
    const [source, reason] = [head[8], head[9]];
    this.deps.log.warn('dimse.association.aborted', { associationId: this.id, callingAe: this.callingAe, by: 'peer',
      source, reason });
    this.closing = true;
    service.abandon('the peer aborted during a C-STORE; partial instance discarded');
    this.sock.destroy();
  }

  /**
   * Released only once everything acknowledged on it is visible (file and row), so a peer that
   * looks right after the release finds it; then the node closes its side, as PS3.8 lets the
   * acceptor do once the A-RELEASE-RP is sent.
   */
  private release(service: DimseService): void {
    this.releasing = true;
    service.abandon('released during a C-STORE; partial instance discarded');
    void service.drained().then(() => {
      if (this.sock.destroyed || this.closing) return;
      this.closing = true;
      this.sock.end(A_RELEASE_RP);
      setTimeout(() => this.sock.destroy(), RELEASE_CLOSE_MS).unref(); // a peer that never closes its side
      this.deps.log.info('dimse.association.released', { associationId: this.id, callingAe: this.callingAe,
        stored: service.stored, failed: service.failed, ms: Date.now() - this.openedAt });
    });
  }

  override abort(source: number, reason: number): void {
    this.deps.log.warn('dimse.association.aborted', { associationId: this.id, callingAe: this.callingAe, by: 'peer',
      source, reason });
    this.sock.destroy();
  }

  /** Sends A-ABORT and closes; used on protocol violations and at shutdown. */
  abortAssociation(why: string, reason: number = AbortReason.UnexpectedPdu): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.log.warn('dimse.association.aborted', { associationId: this.id, callingAe: this.callingAe, by: 'node',
      reason: why });
    if (!this.sock.destroyed) this.sock.end(
      Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, AbortSource.ServiceProvider, reason]));
    setTimeout(() => this.sock.destroy(), 200).unref();
  }

  get isIdle(): boolean {
    return this.service?.isIdle ?? true;
  }

  /** Answers a protocol violation (found by the guard or in a P-DATA-TF), and ends the association. */
  private refuse(fault: AssociateRqFault): void {
    if (this.closing) return;
    this.deps.log.warn('dimse.protocol.violation', { associationId: this.id, callingAe: this.callingAe,
      reason: fault.why });
    this.sock.pause();
    this.service?.abandon('protocol violation during a C-STORE; partial instance discarded');
    if (fault.answer === 'abort') return this.abortAssociation(fault.why, fault.reason);
    this.closing = true;
    this.deps.log.warn('dimse.association.rejected', { associationId: this.id,
      host: normaliseHost(this.sock.remoteAddress), reason: fault.why });
    this.sendAssociationReject(fault.result, fault.source, fault.reason);
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 500).unref();
  }

  private onClosed(): void {
    this.service?.abandon('connection closed during a C-STORE; partial instance discarded');
    if (this.holdsSlot) this.deps.releaseSlot();
    this.holdsSlot = false;
  }
}
