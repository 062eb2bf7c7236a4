// The DIMSE side of an accepted association: P-DATA-TF in, C-STORE and C-ECHO served, responses
// out. Data set fragments go from the socket's slices straight into the store's writer; the
// C-STORE-RSP is written only after commit() resolved (the instance is durable). Anything a
// well-behaved SCU never sends is a protocol violation the association answers with A-ABORT.
import {
  CommandField, MalformedCommandSet, encodeResponse, parseCommandSet, type CommandSet, type ResponseFields,
} from '../dicom/command-set.js';
import { part10Prefix } from '../dicom/part10-meta.js';
import { SOP } from '../dicom/uids.js';
import type { Logger } from '../log/logger.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { InstanceWriter } from '../store/instance-writer.js';
import { Status } from '../store/status.js';
import type { Pdu } from './pdu-framer.js';
import { readPdvs } from './pdv.js';

export interface AcceptedContext { abstractSyntax: string; transferSyntax: string }

export interface ServiceDeps {
  associationId: string;
  callingAe: string;
  calledAe: string;
  contexts: Map<number, AcceptedContext>;
  store: InstanceStore;
  log: Logger;
  send: (bytes: Buffer) => void;
  setPaused: (paused: boolean) => void;
  /** Ends the association with A-ABORT (reason: PS3.8 9.3.8). */
  violation: (why: string, reason: number) => void;
}

/** A command whose data set is arriving; `writer` is set for C-STORE, absent when the data set is discarded. */
interface Incoming { contextId: number; command: CommandSet; writer?: InstanceWriter }

/** Largest command set accepted (a C-STORE-RQ is about 200 bytes). */
const MAX_COMMAND_BYTES = 64 * 1024;
const UNEXPECTED_PDU_PARAMETER = 5;
const INVALID_PDU_PARAMETER = 6;
/** PS3.7 C.4.2: the operation is not one this SCP performs. */
const UNRECOGNIZED_OPERATION = 0x0211;

export class DimseService {
  stored = 0;
  failed = 0;
  private commandParts: Buffer[] = [];
  private commandBytes = 0;
  private incoming: Incoming | undefined;
  private readonly commits = new Set<Promise<void>>();

  constructor(private readonly deps: ServiceDeps) {}

  get isIdle(): boolean {
    return this.incoming === undefined && this.commits.size === 0;
  }

  /** True while an instance's commit (the journal flush) is under way: the wait is the node's, not the peer's. */
  get committing(): boolean {
    return this.commits.size > 0;
  }

  onPData(pdu: Pdu): void {
    const unexpected = (why: string) => this.deps.violation(why, UNEXPECTED_PDU_PARAMETER);
    for (const pdv of readPdvs(pdu)) {
      const context = this.deps.contexts.get(pdv.contextId);
      if (!context) return unexpected(`PDV on presentation context ${pdv.contextId}, which was not accepted`);
      if (pdv.command) {
        if (this.incoming) return unexpected('a command fragment while a data set was expected');
        this.commandParts.push(...pdv.value);
        this.commandBytes += pdv.length;
        if (this.commandBytes > MAX_COMMAND_BYTES) {
          return this.deps.violation(`command set longer than ${MAX_COMMAND_BYTES} bytes`, INVALID_PDU_PARAMETER);
        }
        if (pdv.last && !this.onCommand(pdv.contextId, context)) return;
      } else {
        const incoming = this.incoming;
        if (!incoming) return unexpected('a data set fragment without a command');
        if (pdv.contextId !== incoming.contextId) return unexpected(
          'data set fragment on another presentation context than its command');
        incoming.writer?.writeAll(pdv.value);
        if (pdv.last) this.onDataSetEnd(incoming);
      }
    }
  }

  /** Resolves once every instance received on this association is answered and visible. */
  async drained(): Promise<void> {
    while (this.commits.size) await Promise.all(this.commits);
    await this.deps.store.settled();
  }

  /** The connection ends: an instance still arriving is discarded (it was never acknowledged). */
  abandon(why: string): void {
    const writer = this.incoming?.writer;
    this.incoming = undefined;
    if (!writer) return;
    void writer.abandon();
    const { associationId, callingAe } = this.deps;
    this.deps.log.warn('dimse.association.aborted', { associationId, callingAe, by: 'peer', reason: why });
  }

  /** False when the command set was refused (the association is being aborted). */
  private onCommand(contextId: number, context: AcceptedContext): boolean {
    let command: CommandSet;
    try {
      const parts = this.commandParts;
      command = parseCommandSet(parts.length === 1 ? parts[0] : Buffer.concat(parts));
    } catch (err) {
      if (!(err instanceof MalformedCommandSet)) throw err;
      this.deps.violation(err.message, INVALID_PDU_PARAMETER);
      return false;
    } finally {
      this.commandParts = [];
      this.commandBytes = 0;
    }
    if (command.commandField === CommandField.CStoreRq && command.hasDataSet) {
      const { affectedSopClassUid, affectedSopInstanceUid } = command;
      const prefix = part10Prefix(affectedSopClassUid, affectedSopInstanceUid, context.transferSyntax,
        this.deps.callingAe);
      this.incoming = { contextId, command, writer: this.deps.store.begin(prefix, this.deps.setPaused) };
    } else if (command.commandField === CommandField.CEchoRq && !command.hasDataSet) {
      this.deps.log.info('dimse.echo', { associationId: this.deps.associationId, callingAe: this.deps.callingAe });
      this.respond(contextId, {
        commandField: CommandField.CEchoRsp, messageIdBeingRespondedTo: command.messageId, status: Status.Success,
        affectedSopClassUid: command.affectedSopClassUid || SOP.verification,
      });
    } else if (command.commandField === CommandField.CCancelRq) {
      // Nothing to cancel: every operation here is answered before the next one is read.
    } else if (command.hasDataSet) {
      this.incoming = { contextId, command }; // its data set is read and dropped, then answered
    } else {
      this.refuseOperation(contextId, command);
    }
    return true;
  }

  private onDataSetEnd(incoming: Incoming): void {
    this.incoming = undefined;
    if (!incoming.writer) return this.refuseOperation(incoming.contextId, incoming.command);
    const { command, writer, contextId } = incoming;
    const commit = this.deps.store
      .commit(writer, {
        source: 'dimse', callingAe: this.deps.callingAe, calledAe: this.deps.calledAe,
        expectedSopClassUid: command.affectedSopClassUid, expectedSopInstanceUid: command.affectedSopInstanceUid,
      })
      .then(
        () => ({ status: Status.Success as number, comment: undefined as string | undefined }),
        (err: { status?: number; message?: string }) =>
          ({ status: err.status ?? Status.ProcessingFailure, comment: err.message }),
      )
      .then(({ status, comment }) => {
        this.commits.delete(commit);
        if (status === Status.Success) this.stored++;
        else this.failed++;
        this.respond(contextId, {
          commandField: CommandField.CStoreRsp, messageIdBeingRespondedTo: command.messageId, status, comment,
          affectedSopClassUid: command.affectedSopClassUid, affectedSopInstanceUid: command.affectedSopInstanceUid,
        });
      });
    this.commits.add(commit);
  }

  private refuseOperation(contextId: number, command: CommandSet): void {
    this.respond(contextId, {
      commandField: command.commandField | 0x8000, messageIdBeingRespondedTo: command.messageId,
      status: UNRECOGNIZED_OPERATION,
      affectedSopClassUid: command.affectedSopClassUid, affectedSopInstanceUid: command.affectedSopInstanceUid,
    });
  }

  /** One P-DATA-TF holding the whole response command set (it is far below any peer's maximum PDU). */
  private respond(contextId: number, fields: ResponseFields): void {
    const command = encodeResponse(fields);
    const pdu = Buffer.alloc(12);
    pdu[0] = 0x04;
    pdu.writeUInt32BE(6 + command.length, 2);
    pdu.writeUInt32BE(2 + command.length, 6);
    pdu[10] = contextId;
    pdu[11] = 0x03; // command, last fragment
    this.deps.send(Buffer.concat([pdu, command]));
  }
}
