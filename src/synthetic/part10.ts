// Fast Part 10 assembly: dcmjs writes the (small) header, the pixel element is appended from one preallocated buffer.
import { Context, NativeCodecs, dcmjs, ensureCodecs, type Dataset } from '../infer/volume/dcm.js';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../implementation.js';
import { TS } from '../dicom/uids.js';

/** The syntaxes synthetic series can be written in. */
export const TransferSyntax = {
  implicitLittle: TS.implicitLittle, explicitLittle: TS.explicitLittle, explicitBig: TS.explicitBig, rle: TS.rle,
  jpegLossless: TS.jpegLosslessSv1, jpegLsLossless: TS.jpegLsLossless, jpeg2000Lossless: TS.jpeg2000Lossless,
} as const;
export type WritableTransferSyntax = (typeof TransferSyntax)[keyof typeof TransferSyntax];

const ENCODERS: Partial<Record<string, (c: InstanceType<typeof Context>) => InstanceType<typeof Context>>> = {
  [TransferSyntax.rle]: (c) => NativeCodecs.encodeRle(c),
  [TransferSyntax.jpegLossless]: (c) => NativeCodecs.encodeJpeg(c, { lossy: false }),
  [TransferSyntax.jpegLsLossless]: (c) => NativeCodecs.encodeJpegLs(c, { lossy: false }),
  [TransferSyntax.jpeg2000Lossless]: (c) => NativeCodecs.encodeJpeg2000(c, { lossy: false }),
};


export function isEncapsulated(ts: string): boolean {
  return ENCODERS[ts] !== undefined;
}

/** Must be awaited once before writing an encapsulated syntax (compiles the codec WebAssembly). */
export async function prepareEncoder(ts: string): Promise<void> {
  if (isEncapsulated(ts)) await ensureCodecs();
  else if (!Object.values(TransferSyntax).includes(ts as WritableTransferSyntax)) {
    throw new Error(`synthetic writer cannot write transfer syntax ${ts}`);
  }
}

/** One single-frame image file; `pixels` are the stored 16-bit values of the frame (signed or not, as the dataset's
 *  PixelRepresentation says: the bytes are written as they are). */
export function part10Bytes(dataset: Dataset, ts: string, pixels: Int16Array): Buffer {
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: ts,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  });
  const file = new dcmjs.data.DicomDict(meta);
  file.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  const header = Buffer.from(file.write());
  const element = isEncapsulated(ts) ? encapsulatedPixelElement(dataset, ts, pixels) : nativePixelElement(ts, pixels);
  return Buffer.concat([header, element]);
}

/** (7FE0,0010) OW with the samples in the syntax's byte order. */
function nativePixelElement(ts: string, pixels: Int16Array): Buffer {
  const big = ts === TransferSyntax.explicitBig;
  const implicit = ts === TransferSyntax.implicitLittle;
  const headerLength = implicit ? 8 : 12;
  const out = Buffer.allocUnsafe(headerLength + pixels.byteLength);
  writeTag(out, big);
  if (implicit) out.writeUInt32LE(pixels.byteLength, 4);
  else {
    out.write('OW', 4, 'latin1');
    out.writeUInt16LE(0, 6);
    if (big) out.writeUInt32BE(pixels.byteLength, 8);
    else out.writeUInt32LE(pixels.byteLength, 8);
  }
  const body = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  body.copy(out, headerLength);
  if (big) out.subarray(headerLength).swap16();
  return out;
}

/** (7FE0,0010) OB, undefined length: empty offset table, one fragment (the frame), sequence delimiter. */
function encapsulatedPixelElement(dataset: Dataset, ts: string, pixels: Int16Array): Buffer {
  const context = new Context({
    width: Number(dataset.Columns),
    height: Number(dataset.Rows),
    bitsAllocated: 16,
    bitsStored: Number(dataset.BitsStored ?? 16),
    samplesPerPixel: 1,
    pixelRepresentation: Number(dataset.PixelRepresentation ?? 1),
    planarConfiguration: 0,
    photometricInterpretation: String(dataset.PhotometricInterpretation ?? 'MONOCHROME2'),
    decodedBuffer: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength),
  });
  const encoded = ENCODERS[ts]!(context).getEncodedBuffer();
  if (!encoded) throw new Error(`encoder for ${ts} returned nothing`);
  const fragmentLength = encoded.byteLength + (encoded.byteLength % 2); // items have even length
  const out = Buffer.alloc(12 + 8 + 8 + fragmentLength + 8);
  writeTag(out, false);
  out.write('OB', 4, 'latin1');
  out.writeUInt32LE(0xffffffff, 8);
  let at = writeItem(out, 12, 0xe000, 0); // basic offset table, empty
  at = writeItem(out, at, 0xe000, fragmentLength);
  out.set(encoded, at);
  writeItem(out, at + fragmentLength, 0xe0dd, 0);
  return out;
}

function writeTag(out: Buffer, big: boolean): void {
  if (big) {
    out.writeUInt16BE(0x7fe0, 0);
    out.writeUInt16BE(0x0010, 2);
  } else {
    out.writeUInt16LE(0x7fe0, 0);
    out.writeUInt16LE(0x0010, 2);
  }
}

function writeItem(out: Buffer, at: number, element: number, length: number): number {
  out.writeUInt16LE(0xfffe, at);
  out.writeUInt16LE(element, at + 2);
  out.writeUInt32LE(length, at + 4);
  return at + 8;
}
