// Malformed association openings for fault injection: a fixed set of handcrafted A-ASSOCIATE-RQ
// faults (PS3.8 9.3.2, PS3.7 D.3.3) and wrong PDUs, plus byte mutations of a valid request drawn
// from a fixed seed. DCMTK cannot be made to send any of these, so they are built by hand here.
import { pdu } from './raw-association.js';
import { mulberry32 } from '../../src/synthetic/radiograph.js';

/** What the node must answer: a specific PDU, or any answer at all (never silence). */
export type Expected = 'accept' | 'reject' | 'abort' | 'answer';
export interface MalformedCase { name: string; bytes: Buffer; expect: Expected; halfClose?: boolean }

const CT = '1.2.840.10008.5.1.4.1.1.2';
const ELE = '1.2.840.10008.1.2.1';
const APP_CONTEXT = '1.2.840.10008.3.1.1.1';

const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
export const item = (type: number, body: Buffer | string) => {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  return Buffer.concat([Buffer.from([type, 0]), u16(b.length), b]);
};
/** An item whose length field says `length`, whatever its body holds. */
const lyingItem = (type: number, length: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, 0]), u16(length), body]);
export const pc = (id: number, subItems: Buffer[]) =>
  item(0x20, Buffer.concat([Buffer.from([id, 0, 0, 0]), ...subItems]));
export const ctContext = (id = 1) => pc(id, [item(0x30, CT), item(0x40, ELE)]);
const maxLength = (n = 16384) => item(0x51, u32(n));
const implClass = item(0x52, '1.2.826.0.1.3680043.10.1462');
export const userInfo = (subs: Buffer[] = [maxLength(), implClass]) => item(0x50, Buffer.concat(subs));
export const appContext = item(0x10, APP_CONTEXT);

export interface RqFields { version?: number; called?: string; calling?: string }
/** An A-ASSOCIATE-RQ with these variable items (default: one CT context, a normal user information). */
export function associateRq(items: Buffer[] = [appContext, ctContext(), userInfo()],
  f: RqFields = {}, calledAe = 'DICOM_AI_NODE'): Buffer {
  const ae = (s: string) => Buffer.from(s.padEnd(16, ' ').slice(0, 16), 'latin1');
  const fixed = Buffer.concat(
    [u16(f.version ?? 1), Buffer.alloc(2), ae(f.called ?? calledAe), ae(f.calling ?? 'FUZZSCU'), Buffer.alloc(32)]);
  return pdu(0x01, Buffer.concat([fixed, ...items]));
}

const withLength = (p: Buffer, length: number) => { const b = Buffer.from(p); b.writeUInt32BE(length, 2); return b; };
const ui = (subs: Buffer[]) => [appContext, ctContext(), userInfo(subs)];

export function handcraftedCases(calledAe: string): MalformedCase[] {
  const rq = (items?: Buffer[], f?: RqFields) => associateRq(items, f, calledAe);
  const abort = (name: string, bytes: Buffer, halfClose = false): MalformedCase =>
    ({ name, bytes, expect: 'abort', halfClose });
  const reject = (name: string, bytes: Buffer): MalformedCase => ({ name, bytes, expect: 'reject' });
  const long = '1.' + '2'.repeat(64);
  return [
    abort('duplicate presentation context id 1', rq([appContext, ctContext(1), ctContext(1), userInfo()])),
    abort('duplicate id among three contexts', rq([appContext, ctContext(1), ctContext(3), ctContext(3), userInfo()])),
    abort('presentation context id 0', rq([appContext, ctContext(0), userInfo()])),
    abort('even presentation context id', rq([appContext, ctContext(2), userInfo()])),
    abort('no presentation context', rq([appContext, userInfo()])),
    abort('no user information item', rq([appContext, ctContext()])),
    abort('two user information items', rq([appContext, ctContext(), userInfo(), userInfo()])),
    abort('two application context items', rq([appContext, appContext, ctContext(), userInfo()])),
    abort('no application context item', rq([ctContext(), userInfo()])),
    reject('application context that is not DICOM', rq([item(0x10, '1.2.3.4'), ctContext(), userInfo()])),
    abort('empty application context name', rq([item(0x10, ''), ctContext(), userInfo()])),
    abort('application context name of letters', rq([item(0x10, 'dicom-please'), ctContext(), userInfo()])),
    abort('unknown item type 0x60', rq([appContext, ctContext(), item(0x60, 'x'), userInfo()])),
    abort('unknown empty item type 0x99', rq([appContext, ctContext(), userInfo(), item(0x99, '')])),
    abort('presentation context after the user information', rq([appContext, userInfo(), ctContext()])),
    abort('context without abstract syntax', rq([appContext, pc(1, [item(0x40, ELE)]), userInfo()])),
    abort('context without transfer syntax', rq([appContext, pc(1, [item(0x30, CT)]), userInfo()])),
    abort('context with two abstract syntaxes',
      rq([appContext, pc(1, [item(0x30, CT), item(0x30, CT), item(0x40, ELE)]), userInfo()])),
    abort('unknown sub-item 0x41 in a context', rq([appContext, pc(1, [item(0x30, CT), item(0x41, ELE)]), userInfo()])),
    abort('user information inside a context',
      rq([appContext, pc(1, [item(0x30, CT), item(0x40, ELE), userInfo()]), userInfo()])),
    abort('context item of 2 bytes', rq([appContext, item(0x20, Buffer.from([1, 0])), userInfo()])),
    abort('empty context item', rq([appContext, item(0x20, ''), userInfo()])),
    abort('empty abstract syntax UID', rq([appContext, pc(1, [item(0x30, ''), item(0x40, ELE)]), userInfo()])),
    abort('abstract syntax UID with letters',
      rq([appContext, pc(1, [item(0x30, '1.2.840.x'), item(0x40, ELE)]), userInfo()])),
    abort('abstract syntax UID of 66 characters',
      rq([appContext, pc(1, [item(0x30, long), item(0x40, ELE)]), userInfo()])),
    abort('transfer syntax UID with a space inside',
      rq([appContext, pc(1, [item(0x30, CT), item(0x40, '1.2.840 .10008.1.2')]), userInfo()])),
    abort('transfer syntax UID with an empty component',
      rq([appContext, pc(1, [item(0x30, CT), item(0x40, '1..2')]), userInfo()])),
    abort('application context length overruns the PDU',
      rq([lyingItem(0x10, 4000, Buffer.from(APP_CONTEXT)), ctContext(), userInfo()])),
    abort('context length overruns the PDU',
      rq([appContext, lyingItem(0x20, 500, ctContext().subarray(4)), userInfo()])),
    abort('user information length overruns the PDU',
      rq([appContext, ctContext(), lyingItem(0x50, 300, userInfo().subarray(4))])),
    abort('sub-item length overruns its context',
      rq([appContext, pc(1, [item(0x30, CT), lyingItem(0x40, 90, Buffer.from(ELE))]), userInfo()])),
    abort('sub-item length overruns the user information',
      rq([appContext, ctContext(), userInfo([maxLength(), lyingItem(0x52, 200, Buffer.from('1.2.3'))])])),
    abort('PDU ends inside an item header', rq([appContext, ctContext(), userInfo(), Buffer.from([0x20, 0, 0])])),
    abort('one stray byte after the items', rq([appContext, ctContext(), userInfo(), Buffer.from([0x50])])),
    abort('PDU of 10 bytes', withLength(pdu(0x01, Buffer.alloc(10)), 10)),
    abort('PDU of 0 bytes', pdu(0x01, Buffer.alloc(0))),
    abort('PDU of 67 bytes, one short of the fixed fields', withLength(rq([]).subarray(0, 6 + 67), 67)),
    abort('PDU announced at 1 GB', withLength(rq(), 1 << 30)),
    abort('maximum length sub-item of 2 bytes', rq(ui([item(0x51, Buffer.from([0, 1])), implClass]))),
    abort('maximum length sub-item of 8 bytes', rq(ui([item(0x51, Buffer.alloc(8)), implClass]))),
    abort('no maximum length sub-item', rq(ui([implClass]))),
    abort('two maximum length sub-items', rq(ui([maxLength(), maxLength(), implClass]))),
    abort('implementation class UID that is not a UID', rq(ui([maxLength(), item(0x52, 'not a uid')]))),
    abort('two implementation class UIDs', rq(ui([maxLength(), implClass, implClass]))),
    abort('implementation version name of 17 characters',
      rq(ui([maxLength(), implClass, item(0x55, 'ABCDEFGHIJKLMNOPQ')]))),
    abort('empty implementation version name', rq(ui([maxLength(), implClass, item(0x55, '')]))),
    abort('asynchronous operations window of 2 bytes',
      rq(ui([maxLength(), implClass, item(0x53, Buffer.from([0, 1]))]))),
    abort('role selection lengths disagree',
      rq(ui([maxLength(), implClass, item(0x54, Buffer.concat([u16(40), Buffer.from(CT), Buffer.from([1, 1])]))]))),
    abort('user identity lengths disagree', rq(ui([maxLength(), implClass, item(0x58,
      Buffer.concat([Buffer.from([1, 0]), u16(30), Buffer.from('user'), u16(0)]))]))),
    abort('user identity of 3 bytes', rq(ui([maxLength(), implClass, item(0x58, Buffer.from([1, 0, 0]))]))),
    abort('extended negotiation lengths disagree',
      rq(ui([maxLength(), implClass, item(0x56, Buffer.concat([u16(60), Buffer.from(CT)]))]))),
    reject('protocol version 0', rq(undefined, { version: 0 })),
    reject('protocol version 2 only', rq(undefined, { version: 2 })),
    reject('blank called AE title', rq(undefined, { called: '' })),
    reject('blank calling AE title', rq(undefined, { calling: '' })),
    reject('calling AE title with a control character', rq(undefined, { calling: 'BAD\x01SCU' })),
    reject('called AE title with a backslash', rq(undefined, { called: 'DICOM\\NODE' })),
    reject('called AE title of another node', rq(undefined, { called: 'SOMEONE_ELSE' })),
    abort('A-ASSOCIATE-AC sent to the acceptor', pdu(0x02, rq().subarray(6))),
    abort('A-ASSOCIATE-RJ sent to the acceptor', pdu(0x03, Buffer.from([0, 1, 1, 1]))),
    abort('P-DATA-TF before any association', pdu(0x04, Buffer.from([0, 0, 0, 2, 1, 3]))),
    abort('A-RELEASE-RQ before any association', pdu(0x05, Buffer.alloc(4))),
    abort('A-RELEASE-RP before any association', pdu(0x06, Buffer.alloc(4))),
    abort('unknown PDU type 0x08', pdu(0x08, Buffer.alloc(4))),
    abort('PDU type 0xFF', pdu(0xff, Buffer.alloc(8))),
    abort('A-RELEASE-RQ of 6 bytes', pdu(0x05, Buffer.alloc(6))),
    abort('A-ASSOCIATE-RQ header only, then the peer closes', rq().subarray(0, 6), true),
    abort('A-ASSOCIATE-RQ cut after 40 bytes, then the peer closes', rq().subarray(0, 40), true),
    abort('three bytes of a PDU header, then the peer closes', rq().subarray(0, 3), true),
    // Well formed, if unusual: the node must accept these (PS3.7 D.1: unknown user sub-items are ignored).
    { name: 'unknown user information sub-item 0x5F', bytes: rq(ui(
      [maxLength(), implClass, item(0x5f, 'future')])), expect: 'accept' },
    { name: 'UIDs padded with a trailing NUL', bytes: rq([item(0x10, `${APP_CONTEXT}\0`), pc(1,
      [item(0x30, `${CT}\0`), item(0x40, `${ELE}\0`)]), userInfo()]), expect: 'accept' },
    { name: 'only an unsupported abstract syntax', bytes: rq([appContext, pc(1,
      [item(0x30, '1.2.840.10008.5.1.4.1.2.2.1'), item(0x40, ELE)]), userInfo()]), expect: 'accept' },
  ];
}

/** `count` copies of a valid request with 1-3 bytes of its variable items replaced, from a fixed seed. */
export function mutatedCases(calledAe: string, count: number, seed = 15): MalformedCase[] {
  const random = mulberry32(seed);
  const valid = associateRq(undefined, {}, calledAe);
  const firstItem = 6 + 68; // the header and the fixed fields (AE titles included) stay as they are
  return Array.from({ length: count }, (_, i) => {
    const bytes = Buffer.from(valid);
    const flips = 1 + Math.floor(random() * 3);
    const where: number[] = [];
    for (let f = 0; f < flips; f++) {
      const at = firstItem + Math.floor(random() * (bytes.length - firstItem));
      bytes[at] = Math.floor(random() * 256);
      where.push(at);
    }
    return { name: `seeded mutation ${i + 1} (bytes ${where.join(', ')})`, bytes, expect: 'answer' as const };
  });
}

