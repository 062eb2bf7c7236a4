// A deliberately misbehaving DICOM peer for fault injection (oversized PDUs, garbage, a C-STORE cut
// off mid-transfer). DCMTK cannot be made to break the protocol on purpose, so these few PDUs are
// built by hand here; everything well-behaved in the tests uses DCMTK.
import net from 'node:net';

const CT_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';

export class RawPeer {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); this.wake(); });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => {});
  }

  /** `localAddress` (e.g. 127.0.0.2, also loopback on Linux) makes the peer appear as another host. */
  static connect(port: number, localAddress?: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new RawPeer(s)));
      s.once('error', reject);
    });
  }

  /** Sends A-ASSOCIATE-RQ for CT storage and returns the type of the PDU that answers (2 = AC). */
  async associate(calledAe: string, callingAe = 'RAWPEER', maxPdu = 16384): Promise<number> {
    const item = (type: number, body: Buffer) => Buffer.concat([Buffer.from([type, 0]), u16(body.length), body]);
    const uidItem = (type: number, uid: string) => item(type, Buffer.from(uid, 'ascii'));
    const pc = item(0x20,
      Buffer.concat([Buffer.from([1, 0, 0, 0]), uidItem(0x30, CT_STORAGE), uidItem(0x40, EXPLICIT_LE)]));
    const userInfo = item(0x50, item(0x51, u32(maxPdu)));
    const body = Buffer.concat([u16(1), Buffer.alloc(2), ae(calledAe), ae(callingAe), Buffer.alloc(32),
      uidItem(0x10, '1.2.840.10008.3.1.1.1'), pc, userInfo]);
    this.socket.write(pdu(0x01, body));
    const answer = await this.readPdu();
    return answer?.type ?? -1;
  }

  /** Sends the command and the first `partialBytes` of a C-STORE data set, without the last fragment. */
  sendPartialStore(sopInstanceUid: string, partialBytes: number): void {
    const command = storeCommandSet(sopInstanceUid);
    this.socket.write(pdu(0x04, pdv(1, 0x03, command)));
    for (let sent = 0; sent < partialBytes; sent += 16384) { // P-DATA of 16 KiB, below any negotiated maximum
      this.socket.write(pdu(0x04, pdv(1, 0x00, Buffer.alloc(Math.min(16384, partialBytes - sent), 0x11))));
    }
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  async readPdu(timeoutMs = 5000): Promise<{ type: number; body: Buffer } | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.buf.length >= 6) {
        const len = this.buf.readUInt32BE(2);
        if (this.buf.length >= 6 + len) {
          const out = { type: this.buf[0], body: this.buf.subarray(6, 6 + len) };
          this.buf = this.buf.subarray(6 + len);
          return out;
        }
      }
      if (this.closed) return undefined;
      await new Promise<void>((r) => { this.waiters.push(r); setTimeout(r, 100); });
    }
    return undefined;
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export function pdu(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 0]), u32(body.length), body]);
}

/** One PDV: length, presentation context id, message control header (bit 0 command, bit 1 last). */
export function pdv(pcId: number, control: number, value: Buffer): Buffer {
  return Buffer.concat([u32(value.length + 2), Buffer.from([pcId, control]), value]);
}

/** C-STORE-RQ command set (CT storage, message id 7), implicit VR little endian as PS3.7 requires. */
export function storeCommandSet(sopInstanceUid: string, sopClassUid = CT_STORAGE): Buffer {
  const el = (group: number, element: number, value: Buffer) =>
    Buffer.concat([u16le(group), u16le(element), u32le(value.length), value]);
  const ui = (s: string) => { const b = Buffer.from(s, 'ascii');
    return b.length % 2 ? Buffer.concat([b, Buffer.from([0])]) : b; };
  const us = (n: number) => u16le(n);
  const rest = Buffer.concat([
    el(0, 0x0002, ui(sopClassUid)), el(0, 0x0100, us(0x0001)), el(0, 0x0110, us(7)), el(0, 0x0700, us(0)),
    el(0, 0x0800, us(0x0000)), el(0, 0x1000, ui(sopInstanceUid)),
  ]);
  return Buffer.concat([el(0, 0x0000, u32le(rest.length)), rest]);
}

const ae = (s: string) => Buffer.from(s.padEnd(16, ' ').slice(0, 16), 'ascii');
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
const u16le = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16LE(n); return b; };
const u32le = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
