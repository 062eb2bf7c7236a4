// Encodes the SEG's PerFrameFunctionalGroupsSequence (5200,9230) straight to Explicit VR Little Endian bytes.
// Why not dcmjs: its per-element objects cost ~1 s for a few hundred frames, the bulk of encoding time; these
// items have a fixed shape, so a direct writer is short and easy to check (tests read the result with dcmdump,
// pydicom and dciodvfy).
import { decimalString } from './sr-content.js';

export interface PerFrameItem {
  sourceSopClassUid: string; sourceSopInstanceUid: string;
  segmentNumber: number; positionIndex: number; position: Array<number | string>;
}

const UNDEFINED = 0xffffffff;

/** The whole (5200,9230) element, sequence and items of undefined length; tags in ascending order per item. */
export function encodePerFrameGroups(frames: PerFrameItem[]): Uint8Array {
  const w = new ByteWriter(frames.length * 512 + 64);
  w.sequenceStart(0x5200, 0x9230);
  for (const f of frames) {
    w.itemStart();
    w.sequenceStart(0x0008, 0x9124);   // DerivationImageSequence
    w.itemStart();
    w.sequenceStart(0x0008, 0x2112);   // SourceImageSequence
    w.itemStart();
    w.text(0x0008, 0x1150, 'UI', f.sourceSopClassUid);
    w.text(0x0008, 0x1155, 'UI', f.sourceSopInstanceUid);
    w.text(0x0028, 0x135a, 'CS', 'YES');   // SpatialLocationsPreserved
    w.sequenceStart(0x0040, 0xa170);       // PurposeOfReferenceCodeSequence
    w.code('121322', 'DCM', 'Source image for image processing operation');
    w.sequenceEnd();
    w.itemEnd();
    w.sequenceEnd();
    w.sequenceStart(0x0008, 0x9215);   // DerivationCodeSequence
    w.code('113076', 'DCM', 'Segmentation');
    w.sequenceEnd();
    w.itemEnd();
    w.sequenceEnd();
    w.sequenceStart(0x0020, 0x9111);   // FrameContentSequence
    w.itemStart();
    w.uint32s(0x0020, 0x9157, [f.segmentNumber, f.positionIndex]);   // DimensionIndexValues
    w.itemEnd();
    w.sequenceEnd();
    w.sequenceStart(0x0020, 0x9113);   // PlanePositionSequence
    w.itemStart();
    w.text(0x0020, 0x0032, 'DS',
      f.position.map((v) => (typeof v === 'string' ? v.trim() : decimalString(v))).join('\\'));
    w.itemEnd();
    w.sequenceEnd();
    w.sequenceStart(0x0062, 0x000a);   // SegmentIdentificationSequence
    w.itemStart();
    w.uint16(0x0062, 0x000b, f.segmentNumber);   // ReferencedSegmentNumber
    w.itemEnd();
    w.sequenceEnd();
    w.itemEnd();
  }
  w.sequenceEnd();
  return w.bytes();
}

class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;
  constructor(size: number) { this.buf = new Uint8Array(size); this.view = new DataView(this.buf.buffer); }

  sequenceStart(group: number, element: number): void {
    this.tag(group, element); this.vr('SQ'); this.u16(0); this.u32(UNDEFINED);
  }
  sequenceEnd(): void { this.tag(0xfffe, 0xe0dd); this.u32(0); }
  itemStart(): void { this.tag(0xfffe, 0xe000); this.u32(UNDEFINED); }
  itemEnd(): void { this.tag(0xfffe, 0xe00d); this.u32(0); }

  /** One code sequence item: CodeValue, CodingSchemeDesignator, CodeMeaning. */
  code(value: string, scheme: string, meaning: string): void {
    this.itemStart();
    this.text(0x0008, 0x0100, 'SH', value);
    this.text(0x0008, 0x0102, 'SH', scheme);
    this.text(0x0008, 0x0104, 'LO', meaning);
    this.itemEnd();
  }

  /** String VRs with 2-byte length; UI pads with NUL, the others with a space (PS3.5 6.2). */
  text(group: number, element: number, vr: 'UI' | 'CS' | 'SH' | 'LO' | 'DS', value: string): void {
    const padded = value.length % 2 === 0 ? value : value + (vr === 'UI' ? '\0' : ' ');
    this.tag(group, element); this.vr(vr); this.u16(padded.length);
    this.ensure(padded.length);
    // these values are ASCII
    for (let i = 0; i < padded.length; i++) this.buf[this.at++] = padded.charCodeAt(i) & 0x7f;
  }

  uint32s(group: number, element: number, values: number[]): void {
    this.tag(group, element); this.vr('UL'); this.u16(values.length * 4);
    for (const v of values) this.u32(v);
  }

  uint16(group: number, element: number, value: number): void {
    this.tag(group, element); this.vr('US'); this.u16(2); this.u16(value);
  }

  bytes(): Uint8Array { return this.buf.subarray(0, this.at); }

  private tag(group: number, element: number): void { this.u16(group); this.u16(element); }
  private vr(vr: string): void {
    this.ensure(2); this.buf[this.at++] = vr.charCodeAt(0); this.buf[this.at++] = vr.charCodeAt(1);
  }
  private u16(v: number): void { this.ensure(2); this.view.setUint16(this.at, v, true); this.at += 2; }
  private u32(v: number): void { this.ensure(4); this.view.setUint32(this.at, v, true); this.at += 4; }

  private ensure(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    bigger.set(this.buf);
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }
}
