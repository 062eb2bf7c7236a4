// The only place that touches dcmjs: naturalized data set ⇄ Part-10 bytes (Explicit VR Little Endian).
import { createRequire } from 'node:module';
import { EncodeError } from './errors.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../implementation.js';
import { TS } from '../dicom/uids.js';

// dcmjs ships no type declarations; load it through require and type the small surface we use.
interface DcmjsElement { vr: string; Value?: unknown[] }
interface DcmjsDictInstance {
  dict: Record<string, DcmjsElement>; meta: Record<string, DcmjsElement>; write(opts?: object): ArrayBuffer
}
interface Dcmjs {
  data: {
    DicomDict: new (meta: Record<string, DcmjsElement>) => DcmjsDictInstance;
    DicomMessage: { readFile(buffer: ArrayBuffer, opts?: object): DcmjsDictInstance };
    DicomMetaDictionary: {
      denaturalizeDataset(ds: Record<string, unknown>): Record<string, DcmjsElement>;
      naturalizeDataset(ds: Record<string, DcmjsElement>): Record<string, unknown>;
    };
  };
  log: { setLevel?(level: string): void; getLogger?(name: string): { setLevel(level: string): void } };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

export type NaturalDataset = Record<string, unknown>;

/** The transfer syntax writePart10 writes: every result object the node makes is in it. */
// A UUID-derived (2.25) UID minted once for this implementation: valid without a registered root.

/**
 * Encodes a naturalized data set (SOPClassUID and SOPInstanceUID set) as a Part-10 file. Bulk pixel data is
 * appended as the last element (7FE0,0010 OB) here rather than handed to dcmjs, whose growing write buffer would
 * copy tens of megabytes several times. `tailElements` are already encoded elements whose tags lie after every
 * tag of `dataset` and before PixelData (the SEG's per-frame functional groups); they go in between.
 */
export function writePart10(dataset: NaturalDataset, pixelDataOB?: Uint8Array, tailElements?: Uint8Array): Uint8Array {
  const sopClassUid = dataset.SOPClassUID as string;
  const sopInstanceUid = dataset.SOPInstanceUID as string;
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClassUid,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: TS.explicitLittle,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  const written = new Uint8Array(dict.write({ allowInvalidVRLength: false }));
  const tail = tailElements ?? new Uint8Array(0);
  if (!pixelDataOB && tail.length === 0) return written;
  const pixels = pixelDataOB ?? new Uint8Array(0);
  if (pixels.length % 2 !== 0) throw new RangeError('pixel data must have even length');
  const head = written.length + tail.length;
  const out = new Uint8Array(head + (pixelDataOB ? 12 + pixels.length : 0));
  out.set(written, 0);
  out.set(tail, written.length);
  if (!pixelDataOB) return out;
  const view = new DataView(out.buffer, head, 12);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  out[head + 4] = 0x4f;   // 'O'
  out[head + 5] = 0x42;   // 'B', then 2 reserved bytes (zero)
  view.setUint32(8, pixels.length, true);
  out.set(pixels, head + 12);
  return out;
}

/** Parses Part-10 bytes into naturalized meta and data set; errors become SEG_READ_PARSE. */
export function readPart10(bytes: Uint8Array): { meta: NaturalDataset; dataset: NaturalDataset } {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const file = dcmjs.data.DicomMessage.readFile(buffer);
    return {
      meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.meta),
      dataset: dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict),
    };
  } catch (err) {
    throw new EncodeError('SEG_READ_PARSE', `not a readable DICOM Part-10 file (${(err as Error).message})`);
  }
}
