// Frames incoming bytes into PDUs ahead of dcmjs-dimse and rejects what a well-behaved peer never
// sends: unknown PDU types, PDUs larger than negotiated, P-DATA before the association is accepted.
// dcmjs-dimse would otherwise buffer a PDU of any announced length (up to 4 GB) in memory.

export interface PduLimits { maxAssociateRq: number; maxPData: () => number | undefined }

export class PduViolation extends Error {}

export class PduGuard {
  private header = Buffer.alloc(6);
  private headerFill = 0;
  private bodyLeft = 0;

  constructor(private readonly limits: PduLimits) {}

  /** Checks a chunk of the byte stream; throws PduViolation at the first bad PDU header. */
  inspect(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - pos);
        this.bodyLeft -= take;
        pos += take;
        continue;
      }
      const take = Math.min(6 - this.headerFill, chunk.length - pos);
      chunk.copy(this.header, this.headerFill, pos, pos + take);
      this.headerFill += take;
      pos += take;
      if (this.headerFill === 6) {
        this.headerFill = 0;
        this.bodyLeft = this.check(this.header[0], this.header.readUInt32BE(2));
      }
    }
  }

  private check(type: number, length: number): number {
    const negotiated = this.limits.maxPData();
    switch (type) {
      case 0x01:
        if (length > this.limits.maxAssociateRq) throw new PduViolation(`A-ASSOCIATE-RQ of ${length} bytes is larger than ${this.limits.maxAssociateRq}`);
        return length;
      case 0x04:
        if (negotiated === undefined) throw new PduViolation('P-DATA-TF before the association was accepted');
        if (length > negotiated) throw new PduViolation(`P-DATA-TF of ${length} bytes exceeds the negotiated maximum of ${negotiated}`);
        return length;
      case 0x05:
      case 0x06:
      case 0x07:
        if (length !== 4) throw new PduViolation(`PDU type ${type} with invalid length ${length}`);
        return length;
      default:
        throw new PduViolation(`unknown or unexpected PDU type 0x${type.toString(16).padStart(2, '0')}`);
    }
  }
}
