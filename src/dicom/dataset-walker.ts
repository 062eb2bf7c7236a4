// Walks the top-level elements of a data set for the header scan: each element boundary is checked (nested
// sequences and encapsulated pixel data are skipped item by item) and no value is decoded.
import type { Bytes } from './scan-bytes.js';

export const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
export const UNDEFINED = 0xffffffff;
const PIXEL_DATA = 0x7fe00010;

/** Top-level attributes the index and completion logic need, by tag. */
const WANTED: Record<number, string> = {
  0x00080016: 'SOPClassUID', 0x00080018: 'SOPInstanceUID', 0x00080020: 'StudyDate', 0x00080050: 'AccessionNumber',
  0x00080060: 'Modality', 0x00081030: 'StudyDescription', 0x0008103e: 'SeriesDescription',
  0x00100010: 'PatientName', 0x00100020: 'PatientID', 0x00180015: 'BodyPartExamined',
  0x0020000d: 'StudyInstanceUID', 0x0020000e: 'SeriesInstanceUID', 0x00200011: 'SeriesNumber',
  0x00201002: 'ImagesInAcquisition', 0x00201208: 'NumberOfStudyRelatedInstances',
  0x00201209: 'NumberOfSeriesRelatedInstances', 0x00280008: 'NumberOfFrames',
};

/** Where a native (defined-length) PixelData value lies in the file. */
export interface PixelDataLocation {
  /** byte offset of the value in the file */
  valueAt: number;
  length: number;
  /** as written; implicit VR files report OW (PS3.5 A.1) */
  vr: string;
}

export class UnparseableDataset extends Error {}

export class Walker {
  constructor(private readonly b: Bytes, private readonly explicit: boolean, private readonly bigEndian: boolean) {}

  /** Collects the WANTED values; returns where a defined-length PixelData value lies. */
  walkTopLevel(pos: number, values: Record<string, string>): PixelDataLocation | undefined {
    let lastTag = -1;
    let pixelData: PixelDataLocation | undefined;
    while (pos < this.b.size) {
      const h = this.header(pos);
      if (h.tag <= lastTag && h.tag !== 0xfffcfffc) throw new UnparseableDataset(`element ${hex(h.tag)} out of order`);
      lastTag = h.tag;
      if (h.length === UNDEFINED) {
        pos = this.skipUndefined(h.valueAt);
        continue;
      }
      if (h.valueAt + h.length > this.b.size) throw new UnparseableDataset(
        `element ${hex(h.tag)} is longer than the remaining data (truncated)`);
      const name = WANTED[h.tag];
      if (name && h.length <= 1024) values[name] = cleanString(this.b.ascii(h.valueAt, h.length));
      if (h.tag === PIXEL_DATA) pixelData = { valueAt: h.valueAt, length: h.length, vr: h.vr ?? 'OW' };
      pos = h.valueAt + h.length;
    }
    return pixelData;
  }

  /** Skips an undefined-length sequence or encapsulated pixel data; returns the position after its delimiter. */
  private skipUndefined(pos: number): number {
    for (;;) {
      const h = this.itemHeader(pos);
      if (h.tag === 0xfffee0dd) return h.valueAt;
      if (h.tag !== 0xfffee000) throw new UnparseableDataset(`expected an item at offset ${pos}, found ${hex(h.tag)}`);
      pos = h.length === UNDEFINED ? this.skipItemElements(h.valueAt) : h.valueAt + h.length;
      if (pos > this.b.size) throw new UnparseableDataset('sequence item overruns the data (truncated)');
    }
  }

  private skipItemElements(pos: number): number {
    for (;;) {
      const t = this.tagAt(pos);
      if (t === 0xfffee00d) return pos + 8;
      const h = this.header(pos);
      pos = h.length === UNDEFINED ? this.skipUndefined(h.valueAt) : h.valueAt + h.length;
      if (pos > this.b.size) throw new UnparseableDataset('nested element overruns the data (truncated)');
    }
  }

  private header(pos: number): { tag: number; length: number; valueAt: number; vr?: string } {
    const tag = this.tagAt(pos);
    if ((tag >>> 16) === 0xfffe) return this.itemHeader(pos);
    if (!this.explicit) return { tag, length: this.u32(pos + 4), valueAt: pos + 8 };
    this.need(pos, 8);
    const vr = this.b.ascii(pos + 4, 2);
    if (!/^[A-Z]{2}$/.test(vr)) throw new UnparseableDataset(`invalid VR at element ${hex(tag)}`);
    if (LONG_VRS.has(vr)) return { tag, length: this.u32(pos + 8), valueAt: pos + 12, vr };
    return { tag, length: this.u16(pos + 6), valueAt: pos + 8, vr };
  }

  private itemHeader(pos: number): { tag: number; length: number; valueAt: number } {
    return { tag: this.tagAt(pos), length: this.u32(pos + 4), valueAt: pos + 8 };
  }

  private tagAt(pos: number): number {
    this.need(pos, 4);
    return ((this.u16(pos) << 16) | this.u16(pos + 2)) >>> 0;
  }

  private need(pos: number, n: number): void {
    if (pos + n > this.b.size) throw new UnparseableDataset('data set ends inside an element header (truncated)');
  }

  private u16(pos: number): number {
    // Delimitation items are always little endian; everything else follows the transfer syntax.
    return this.bigEndian && this.b.u16le(pos) !== 0xfffe ? this.b.u16be(pos) : this.b.u16le(pos);
  }

  private u32(pos: number): number {
    this.need(pos, 4);
    return this.bigEndian ? this.b.u32be(pos) : this.b.u32le(pos);
  }
}

export function cleanString(s: string): string {
  return s.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

function hex(tag: number): string {
  return `(${(tag >>> 16).toString(16).padStart(4, '0')},${(tag & 0xffff).toString(16).padStart(4, '0')})`;
}
