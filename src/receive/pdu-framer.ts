// Frames incoming bytes into whole PDUs ahead of dcmjs-dimse and rejects what a well-behaved peer
// never sends: unknown PDU types, PDUs larger than negotiated, P-DATA before the association is
// accepted. dcmjs-dimse would otherwise buffer a PDU of any announced length (up to 4 GB), and its
// own accumulator re-concatenates the partial PDU on every socket chunk. A PDU comes out as the
// slices of the socket chunks it arrived in, never concatenated: P-DATA values go from them
// straight into the journal (see dimse-service.ts); only the small negotiation PDUs are joined.

export interface PduLimits { maxAssociateRq: number; maxPData: () => number | undefined }

/** `reason` is the A-ABORT reason (PS3.8 9.3.8): 1 unrecognized PDU, 2 unexpected, 6 invalid parameter. */
export class PduViolation extends Error {
  constructor(message: string, readonly reason = 2) { super(message); }
}

/** One whole PDU, header included, as the slices it arrived in. */
export class Pdu {
  constructor(readonly type: number, readonly parts: Buffer[]) {}

  /** The PDU as one buffer (a copy only when it arrived in several chunks). */
  bytes(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
  }
}

export class PduFramer {
  private header = Buffer.alloc(6);
  private headerFill = 0;
  private bodyLeft = -1;
  private parts: Buffer[] = [];

  /** True while a PDU has begun but not all its bytes have come. */
  get midPdu(): boolean {
    return this.headerFill > 0 || this.bodyLeft >= 0;
  }

  constructor(private readonly limits: PduLimits) {}

  /** Returns the PDUs completed by this chunk; throws PduViolation at the first bad PDU header. */
  push(chunk: Buffer): Pdu[] {
    const complete: Pdu[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.bodyLeft < 0 && this.headerFill === 0 && chunk.length - pos >= 6) {
        const length = chunk.readUInt32BE(pos + 2);
        this.check(chunk[pos], length);
        if (chunk.length - pos >= 6 + length) {
          complete.push(new Pdu(chunk[pos], [chunk.subarray(pos, pos + 6 + length)]));
          pos += 6 + length;
          continue;
        }
      }
      if (this.bodyLeft < 0) {
        const take = Math.min(6 - this.headerFill, chunk.length - pos);
        chunk.copy(this.header, this.headerFill, pos, pos + take);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < 6) continue;
        this.headerFill = 0;
        this.bodyLeft = this.check(this.header[0], this.header.readUInt32BE(2));
        this.parts = [Buffer.from(this.header)];
      } else {
        const take = Math.min(this.bodyLeft, chunk.length - pos);
        this.parts.push(chunk.subarray(pos, pos + take));
        this.bodyLeft -= take;
        pos += take;
      }
      if (this.bodyLeft === 0) {
        complete.push(new Pdu(this.parts[0][0], this.parts));
        this.parts = [];
        this.bodyLeft = -1;
      }
    }
    return complete;
  }

  private check(type: number, length: number): number {
    switch (type) {
      case 0x01:
        if (length > this.limits.maxAssociateRq) throw new PduViolation(
          `A-ASSOCIATE-RQ of ${length} bytes is larger than ${this.limits.maxAssociateRq}`, 6);
        return length;
      case 0x04: {
        const negotiated = this.limits.maxPData();
        if (negotiated === undefined) throw new PduViolation('P-DATA-TF before the association was accepted');
        if (length > negotiated) throw new PduViolation(
          `P-DATA-TF of ${length} bytes exceeds the negotiated maximum of ${negotiated}`, 6);
        return length;
      }
      case 0x05:
      case 0x06:
      case 0x07:
        if (length !== 4) throw new PduViolation(`PDU type ${type} with invalid length ${length}`, 6);
        return length;
      default:
        throw new PduViolation(`unknown or unexpected PDU type 0x${type.toString(16).padStart(2, '0')}`,
          type === 0x02 || type === 0x03 ? 2 : 1);
    }
  }
}
