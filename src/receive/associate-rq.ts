// Strict structural check of an A-ASSOCIATE-RQ PDU (PS3.8 9.3.2, PS3.7 D.3.3) before dcmjs-dimse
// reads it. The library's reader is lax: it reads past item boundaries, accepts duplicate
// presentation context ids, and a reader error only logs, so the peer got no answer at all.
// Every fault found here is answered: A-ASSOCIATE-RJ where PS3.8 names a reject reason, else A-ABORT.
import dimse from 'dcmjs-dimse';
import { DICOM_APPLICATION_CONTEXT } from '../dicom/uids.js';

const { AbortReason, RejectResult, RejectSource, RejectReason } = dimse.constants;

/** The DICOM application context name (PS3.7 A.2.1); the only one this node speaks. */

export type AssociateRqFault =
  | { answer: 'abort'; reason: number; why: string }
  | { answer: 'reject'; result: number; source: number; reason: number; why: string };

class Fault extends Error {
  constructor(readonly fault: AssociateRqFault) { super(fault.why); }
}

const FIXED_FIELDS = 68; // version, reserved, called AE, calling AE, 32 reserved bytes
const invalid = (why: string) => new Fault({ answer: 'abort', reason: AbortReason.InvalidPduParameter, why });
const unexpected = (why: string) => new Fault({ answer: 'abort', reason: AbortReason.UnexpectedPduParameter, why });
const unrecognized = (why: string) => new Fault({ answer: 'abort', reason: AbortReason.UnrecognizedPduParameter, why });
const rejected = (source: number, reason: number, why: string) =>
  new Fault({ answer: 'reject', result: RejectResult.Permanent, source, reason, why });

/** `pdu` is a whole PDU of type 01H, header included; undefined when it is well formed. */
export function checkAssociateRq(pdu: Buffer): AssociateRqFault | undefined {
  try {
    checkPdu(pdu);
    return undefined;
  } catch (err) {
    if (err instanceof Fault) return err.fault;
    throw err;
  }
}

function checkPdu(pdu: Buffer): void {
  const length = pdu.readUInt32BE(2);
  if (length < FIXED_FIELDS) throw invalid(`A-ASSOCIATE-RQ of ${length} bytes is shorter than its fixed fields`);
  if ((pdu.readUInt16BE(6) & 1) === 0) {
    throw rejected(RejectSource.ServiceProviderAcse, RejectReason.ProtocolVersionNotSupported,
      'protocol version 1 not offered');
  }
  for (const [name, at, reason] of [['called', 10, RejectReason.CalledAeNotRecognized],
    ['calling', 26, RejectReason.CallingAeNotRecognized]] as const) {
    const title = pdu.toString('latin1', at, at + 16);
    if (!/^[\x20-\x7e]{16}$/.test(title) || title.includes('\\') || title.trim() === '') {
      throw rejected(RejectSource.ServiceUser, reason, `${name} AE title is blank or holds control characters`);
    }
  }
  const items = readItems(pdu.subarray(6 + FIXED_FIELDS), 'A-ASSOCIATE-RQ');
  if (items[0]?.type !== 0x10) throw unexpected('the first item is not the application context');
  if (readUid(items[0].value, 'application context name') !== DICOM_APPLICATION_CONTEXT) {
    throw rejected(RejectSource.ServiceUser, RejectReason.ApplicationContextNotSupported,
      'application context is not DICOM');
  }
  const contextIds = new Set<number>();
  let userInfo = 0;
  for (const item of items.slice(1)) {
    if (item.type === 0x20) {
      if (userInfo) throw unexpected('presentation context item after the user information item');
      const id = checkPresentationContext(item.value);
      if (contextIds.has(id)) throw invalid(`presentation context id ${id} proposed twice`);
      contextIds.add(id);
    } else if (item.type === 0x50) {
      if (userInfo++) throw unexpected('more than one user information item');
      checkUserInformation(item.value);
    } else if (item.type === 0x10) {
      throw unexpected('more than one application context item');
    } else {
      throw unrecognized(`unknown item type 0x${hex(item.type)} in A-ASSOCIATE-RQ`);
    }
  }
  if (contextIds.size === 0) throw invalid('no presentation context proposed');
  if (!userInfo) throw invalid('no user information item');
}

function checkPresentationContext(value: Buffer): number {
  if (value.length < 4) throw invalid('presentation context item shorter than its fixed fields');
  const id = value[0];
  if (id % 2 === 0) throw invalid(`presentation context id ${id} is not odd`);
  const subItems = readItems(value.subarray(4), `presentation context ${id}`);
  if (subItems[0]?.type !== 0x30) throw invalid(`presentation context ${id} does not start with an abstract syntax`);
  readUid(subItems[0].value, `abstract syntax of presentation context ${id}`);
  if (subItems.length < 2) throw invalid(`presentation context ${id} proposes no transfer syntax`);
  for (const sub of subItems.slice(1)) {
    if (sub.type === 0x30) throw unexpected(`presentation context ${id} has a second abstract syntax`);
    if (sub.type !== 0x40) throw unrecognized(`unknown sub-item 0x${hex(sub.type)} in presentation context ${id}`);
    readUid(sub.value, `transfer syntax of presentation context ${id}`);
  }
  return id;
}

/** Known sub-items must be well formed; unknown ones are skipped (PS3.7 D.1: acceptors ignore them). */
function checkUserInformation(value: Buffer): void {
  const seen = new Set<number>();
  for (const sub of readItems(value, 'user information')) {
    const v = sub.value;
    const once = [0x51, 0x52, 0x53, 0x55, 0x58];
    if (once.includes(sub.type) && seen.has(sub.type)) throw unexpected(
      `user information sub-item 0x${hex(sub.type)} appears twice`);
    seen.add(sub.type);
    if ((sub.type === 0x51 || sub.type === 0x53) && v.length !== 4) throw invalid(
      `user information sub-item 0x${hex(sub.type)} has length ${v.length}, not 4`);
    if (sub.type === 0x52) readUid(v, 'implementation class UID');
    if (sub.type === 0x55 && (v.length < 1 || v.length > 16)) throw invalid(
      'implementation version name is not 1-16 characters');
    if (sub.type === 0x54 && (v.length < 2 || v.length !== 4 + v.readUInt16BE(0))) throw invalid(
      'SCP/SCU role selection sub-item lengths disagree');
    if (sub.type === 0x56 && (v.length < 2 || v.length < 2 + v.readUInt16BE(0))) throw invalid(
      'SOP class extended negotiation sub-item lengths disagree');
    if (sub.type === 0x58) checkUserIdentity(v);
  }
  if (!seen.has(0x51)) throw invalid('no maximum length sub-item in the user information');
}

function checkUserIdentity(v: Buffer): void {
  if (v.length < 4) throw invalid('user identity sub-item too short');
  const primary = v.readUInt16BE(2);
  if (v.length < 6 + primary || v.length !== 6 + primary + v.readUInt16BE(4 + primary)) throw invalid(
    'user identity sub-item lengths disagree');
}

interface Item { type: number; value: Buffer }

/** Splits type/reserved/length items; every length must fit, and they must fill `field` exactly. */
function readItems(field: Buffer, where: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  while (pos < field.length) {
    if (field.length - pos < 4) throw invalid(`${where} ends inside an item header`);
    const length = field.readUInt16BE(pos + 2);
    if (pos + 4 + length > field.length) throw invalid(
      `item 0x${hex(field[pos])} of ${length} bytes overruns ${where}`);
    items.push({ type: field[pos], value: field.subarray(pos + 4, pos + 4 + length) });
    pos += 4 + length;
  }
  return items;
}

/** A UID field: 1-64 characters of digits and dots, a trailing NUL pad allowed (PS3.8 9.3.2.2). */
function readUid(value: Buffer, what: string): string {
  const uid = value.toString('latin1').replace(/\0$/, '');
  if (!/^[0-9]+(\.[0-9]+)*$/.test(uid) || uid.length > 64) throw invalid(`${what} is not a UID`);
  return uid;
}

const hex = (n: number) => n.toString(16).padStart(2, '0');
