// The presentation data values of one P-DATA-TF PDU (PS3.8 9.3.5, annex E), read over the slices
// the PDU arrived in: each value comes out as slices too, so a data set fragment reaches the
// journal without being copied on the way.
import { PduViolation, type Pdu } from './pdu-framer.js';

export interface Pdv {
  contextId: number;
  /** Message control header bit 0: a command fragment (else a data set fragment). */
  command: boolean;
  /** Bit 1: the last fragment of its command or data set. */
  last: boolean;
  value: Buffer[];
  length: number;
}

const INVALID_PDU_PARAMETER = 6;
const invalid = (why: string) => new PduViolation(why, INVALID_PDU_PARAMETER);

export function readPdvs(pdu: Pdu): Pdv[] {
  const cursor = new SliceCursor(pdu.parts, 6);
  const pdvs: Pdv[] = [];
  while (cursor.left > 0) {
    if (cursor.left < 6) throw invalid('P-DATA-TF ends inside a PDV header');
    const length = cursor.u32be();
    if (length < 2 || length > cursor.left) throw invalid(`PDV length ${length} does not fit its P-DATA-TF`);
    const contextId = cursor.u8();
    const control = cursor.u8();
    if (control > 3) throw invalid(`PDV message control header 0x${control.toString(16)} has reserved bits set`);
    const value = cursor.take(length - 2);
    pdvs.push({ contextId, command: (control & 1) === 1, last: (control & 2) === 2, value, length: length - 2 });
  }
  if (pdvs.length === 0) throw invalid('P-DATA-TF holds no PDV');
  return pdvs;
}

/** Reads forward through a list of slices as if they were one buffer. */
class SliceCursor {
  private part = 0;
  private at: number;
  left: number;

  constructor(private readonly parts: Buffer[], skip: number) {
    this.left = parts.reduce((s, p) => s + p.length, 0) - skip;
    this.at = 0;
    this.skip(skip);
  }

  u8(): number {
    this.settle();
    this.left--;
    return this.parts[this.part][this.at++];
  }

  u32be(): number {
    this.settle();
    const p = this.parts[this.part];
    if (p.length - this.at >= 4) {
      const v = p.readUInt32BE(this.at);
      this.at += 4;
      this.left -= 4;
      return v;
    }
    return ((this.u8() << 24) | (this.u8() << 16) | (this.u8() << 8) | this.u8()) >>> 0;
  }

  /** The next n bytes as slices of the parts (no copy). */
  take(n: number): Buffer[] {
    const out: Buffer[] = [];
    while (n > 0) {
      this.settle();
      const p = this.parts[this.part];
      const k = Math.min(n, p.length - this.at);
      out.push(p.subarray(this.at, this.at + k));
      this.at += k;
      this.left -= k;
      n -= k;
    }
    return out;
  }

  private skip(n: number): void {
    while (n > 0) {
      this.settle();
      const k = Math.min(n, this.parts[this.part].length - this.at);
      this.at += k;
      n -= k;
    }
  }

  /** Moves past exhausted parts. */
  private settle(): void {
    while (this.at >= this.parts[this.part].length) {
      this.part++;
      this.at = 0;
    }
  }
}
