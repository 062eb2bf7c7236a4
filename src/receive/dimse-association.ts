// One DICOM association on the node's SCP: negotiation (caller allow-list, called AE, limits,
// presentation contexts), C-ECHO, and C-STORE streamed into the store. Handlers never throw
// across the network: every outcome becomes a DIMSE status or an A-ASSOCIATE-RJ / A-ABORT.
import type { Socket } from 'node:net';
import dimse from 'dcmjs-dimse';
import type { Logger } from '../log/logger.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { InstanceWriter } from '../store/instance-writer.js';
import { part10Prefix } from '../dicom/part10-meta.js';
import { Status as StoreStatus } from '../store/status.js';
import { chooseTransferSyntax, isStorageSopClass, isVerification } from './presentation.js';
import { AssociationGuard } from './association-guard.js';
import type { AssociateRqFault } from './associate-rq.js';
import type { CallerRule } from '../config/schema.js';
import { callerAllowed, normaliseHost } from './peer-address.js';

const { Scp, Dataset, constants, responses } = dimse;
const { PresentationContextResult: PC, RejectResult, RejectSource, RejectReason, AbortSource, AbortReason } = constants;

type Association = InstanceType<typeof dimse.association.Association>;
type PresentationContext = InstanceType<typeof dimse.association.PresentationContext>;
type CStoreRequest = InstanceType<typeof dimse.requests.CStoreRequest>;
type CEchoRequest = InstanceType<typeof dimse.requests.CEchoRequest>;

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

interface PendingStore { request: CStoreRequest; writer: InstanceWriter; outcome?: { status: number; comment?: string } }

let nextAssociationId = 1;

export class NodeAssociation extends Scp {
  readonly id = `a${nextAssociationId++}`;
  private callingAe = '';
  private receiving: PendingStore | undefined;
  private committing = 0;
  private readonly outcomes = new WeakMap<CStoreRequest, PendingStore>();
  private accepted = false;
  private holdsSlot = false;
  private closing = false;
  private stored = 0;
  private failed = 0;
  private readonly openedAt = Date.now();

  constructor(readonly sock: Socket, opts: Record<string, unknown>, private readonly deps: AssociationDeps) {
    super(sock, opts);
    this.guardSocket();
    sock.once('close', () => this.onClosed());
    // dcmjs-dimse reports a PDU or DIMSE message it cannot read only as this event; the peer would
    // hear nothing, so the association is aborted. Its socket timeout is handled below instead.
    this.on('networkError', (err: Error) => {
      if (this.sock.destroyed || this.closing || /Connection timeout/.test(err.message)) return;
      this.deps.log.warn('dimse.protocol.violation', { associationId: this.id, callingAe: this.callingAe, reason: err.message });
      this.abortAssociation(err.message, AbortReason.InvalidPduParameter);
    });
    // No PDU for pduTimeoutMs (the library arms the socket timeout with it): the peer stalled, also
    // inside a PDU. A commit still running is the node's own wait, not the peer's.
    sock.on('timeout', () => {
      if (this.committing === 0 && !this.closing) this.abortAssociation('no PDU within the PDU timeout');
    });
  }

  override associationRequested(association: Association): void {
    this.callingAe = association.getCallingAeTitle().trim();
    const called = association.getCalledAeTitle().trim();
    const host = normaliseHost(this.sock.remoteAddress);
    const reject = (result: number, source: number, reason: number, why: string) => {
      this.deps.log.warn('dimse.association.rejected', { associationId: this.id, callingAe: this.callingAe, calledAe: called, host, reason: why });
      this.sendAssociationReject(result, source, reason);
      setTimeout(() => this.sock.destroy(), 500).unref();
    };
    if (called !== this.deps.aeTitle) return reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized, 'called AE title is not this node');
    if (!callerAllowed(this.deps.allowedCallers, this.callingAe, host)) return reject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CallingAeNotRecognized, 'calling AE title/host not in the allow-list');
    // The guard lets one A-ASSOCIATE-RQ through per connection; a slot is still claimed at most once.
    if (this.holdsSlot) return;
    if (!this.deps.claimSlot()) return reject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, RejectReason.LocalLimitExceeded, 'too many concurrent associations');
    this.holdsSlot = true;
    let acceptedContexts = 0;
    for (const { context } of association.getPresentationContexts()) acceptedContexts += this.negotiate(context) ? 1 : 0;
    // Advertise our own receive limit (dcmjs-dimse would otherwise echo the peer's).
    association.setMaxPduLength(this.deps.maxPduLength);
    this.sendAssociationAccept();
    this.accepted = true;
    this.deps.log.info('dimse.association.accepted', { associationId: this.id, callingAe: this.callingAe, calledAe: called, host, contexts: acceptedContexts });
  }

  override associationReleaseRequested(): void {
    // Released only once everything acknowledged on it is visible (file and row), so a peer that
    // looks right after the release finds it.
    void this.deps.store.settled().then(() => this.released());
  }

  private released(): void {
    this.sendAssociationReleaseResponse();
    this.deps.log.info('dimse.association.released', { associationId: this.id, callingAe: this.callingAe, stored: this.stored, failed: this.failed, ms: Date.now() - this.openedAt });
  }

  override cEchoRequest(request: CEchoRequest, callback: (r: InstanceType<typeof responses.CEchoResponse>) => void): void {
    this.deps.log.info('dimse.echo', { associationId: this.id, callingAe: this.callingAe });
    const response = responses.CEchoResponse.fromRequest(request);
    response.setStatus(constants.Status.Success);
    callback(response);
  }

  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): any {
    const prefix = part10Prefix(request.getAffectedSopClassUid(), request.getAffectedSopInstanceUid(), context.getAcceptedTransferSyntaxUid() ?? '', this.callingAe);
    const writer = this.deps.store.begin(prefix, (paused) => (paused ? this.sock.pause() : this.sock.resume()));
    const pending: PendingStore = { request, writer };
    this.receiving = pending;
    // Always report "no backpressure" to dcmjs-dimse: its drain handling can reorder P-DATA;
    // backpressure is applied by pausing the socket instead (see InstanceWriter).
    return { pending, write: (chunk: Uint8Array) => (writer.write(chunk), true), end: () => {}, once: () => {}, on: () => {} };
  }

  override createDatasetFromStoreWritableStream(stream: any, context: PresentationContext, callback: (dataset: any) => void): void {
    const pending: PendingStore = stream.pending;
    this.receiving = undefined;
    this.outcomes.set(pending.request, pending);
    this.committing++;
    this.deps.store
      .commit(pending.writer, {
        source: 'dimse', callingAe: this.callingAe, calledAe: this.deps.aeTitle,
        expectedSopClassUid: pending.request.getAffectedSopClassUid(), expectedSopInstanceUid: pending.request.getAffectedSopInstanceUid(),
      })
      .then(
        () => { pending.outcome = { status: StoreStatus.Success }; },
        (err: { status?: number; message?: string }) => { pending.outcome = { status: err.status ?? StoreStatus.ProcessingFailure, comment: err.message }; },
      )
      .finally(() => {
        this.committing--;
        callback(new Dataset({}, context.getAcceptedTransferSyntaxUid()));
      });
  }

  override cStoreRequest(request: CStoreRequest, callback: (r: InstanceType<typeof responses.CStoreResponse>) => void): void {
    const outcome = this.outcomes.get(request)?.outcome ?? { status: StoreStatus.ProcessingFailure, comment: 'instance was not received' };
    const response = responses.CStoreResponse.fromRequest(request);
    response.setStatus(outcome.status);
    if (outcome.comment) response.setErrorComment(outcome.comment.slice(0, 64));
    if (outcome.status === StoreStatus.Success) this.stored++;
    else this.failed++;
    callback(response);
  }

  override abort(source: number, reason: number): void {
    this.deps.log.warn('dimse.association.aborted', { associationId: this.id, callingAe: this.callingAe, by: 'peer', source, reason });
    this.sock.destroy();
  }

  /** Sends A-ABORT and closes; used on protocol violations and at shutdown. */
  abortAssociation(why: string, reason: number = AbortReason.UnexpectedPdu): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.log.warn('dimse.association.aborted', { associationId: this.id, callingAe: this.callingAe, by: 'node', reason: why });
    if (!this.sock.destroyed) this.sock.end(Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, AbortSource.ServiceProvider, reason]));
    setTimeout(() => this.sock.destroy(), 200).unref();
  }

  get isIdle(): boolean {
    return this.receiving === undefined && this.committing === 0;
  }

  private guardSocket(): void {
    const guard = new AssociationGuard({
      maxAssociateRq: 64 * 1024, maxPData: () => (this.accepted ? this.deps.maxPduLength : undefined), accepted: () => this.accepted,
    });
    const libraryListeners = this.sock.listeners('data') as Array<(chunk: Buffer) => void>;
    this.sock.removeAllListeners('data');
    this.sock.on('data', (chunk: Buffer) => {
      const { pdus, fault } = guard.push(chunk);
      for (const pdu of pdus) for (const l of libraryListeners) l.call(this.sock, pdu);
      if (fault && !this.closing) this.refuse(fault);
    });
    // The listener keeps half-open connections, so a peer that stops inside a PDU and closes its
    // side still hears why (with Node's default, the socket is unwritable once the peer's FIN came).
    this.sock.on('end', () => {
      if (guard.midPdu && !this.closing) this.refuse({ answer: 'abort', reason: AbortReason.InvalidPduParameter, why: 'connection closed inside a PDU' });
      else if (!this.closing) this.sock.end();
    });
  }

  /** Answers a protocol violation found by the guard, and ends the association. */
  private refuse(fault: AssociateRqFault): void {
    this.deps.log.warn('dimse.protocol.violation', { associationId: this.id, callingAe: this.callingAe, reason: fault.why });
    this.sock.pause();
    void this.receiving?.writer.abandon();
    this.receiving = undefined;
    if (fault.answer === 'abort') return this.abortAssociation(fault.why, fault.reason);
    this.closing = true;
    this.deps.log.warn('dimse.association.rejected', { associationId: this.id, host: normaliseHost(this.sock.remoteAddress), reason: fault.why });
    this.sendAssociationReject(fault.result, fault.source, fault.reason);
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 500).unref();
  }

  private onClosed(): void {
    if (this.receiving) {
      void this.receiving.writer.abandon();
      this.deps.log.warn('dimse.association.aborted', { associationId: this.id, callingAe: this.callingAe, by: 'peer', reason: 'connection closed during a C-STORE; partial instance discarded' });
      this.receiving = undefined;
    }
    if (this.holdsSlot) this.deps.releaseSlot();
    this.holdsSlot = false;
  }

  private negotiate(context: PresentationContext): boolean {
    const abstract = context.getAbstractSyntaxUid();
    if (!isVerification(abstract) && !isStorageSopClass(abstract, this.deps.acceptPrivateSopClasses)) {
      context.setResult(PC.RejectAbstractSyntaxNotSupported);
      return false;
    }
    const ts = chooseTransferSyntax(context.getTransferSyntaxUids());
    if (!ts) {
      context.setResult(PC.RejectTransferSyntaxesNotSupported);
      return false;
    }
    context.setResult(PC.Accept, ts);
    return true;
  }
}
