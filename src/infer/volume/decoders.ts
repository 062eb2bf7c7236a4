// One compressed frame -> its decoded bytes, with the decoder picked per transfer syntax by measurement
// (bench/load.ts): CharLS (Cornerstone's WebAssembly build) decodes greyscale JPEG-LS twice as fast as
// dcmjs-codecs; for JPEG 2000 (OpenJPEG), HTJ2K, JPEG (IJG libjpeg) and RLE dcmjs-codecs is as fast or faster.
import { createRequire } from 'node:module';
import { Context, ensureCodecs, NativeCodecs } from './dcm.js';
import type { PixelFormat } from './pixels.js';
import { VolumeError } from './types.js';
import { TS } from '../../dicom/uids.js';

const require = createRequire(import.meta.url);

type CodecContext = InstanceType<typeof Context>;
const DCMJS_CODECS: Record<string, (c: CodecContext) => CodecContext> = {
  [TS.rle]: (c) => NativeCodecs.decodeRle(c),
  [TS.jpegBaseline]: (c) => NativeCodecs.decodeJpeg(c, { convertColorspaceToRgb: true }),
  [TS.jpegExtended]: (c) => NativeCodecs.decodeJpeg(c, { convertColorspaceToRgb: true }),
  [TS.jpegLosslessNh]: (c) => NativeCodecs.decodeJpeg(c),
  [TS.jpegLosslessSv1]: (c) => NativeCodecs.decodeJpeg(c),
  [TS.jpegLsLossless]: (c) => NativeCodecs.decodeJpegLs(c),
  [TS.jpegLsNearLossless]: (c) => NativeCodecs.decodeJpegLs(c),
  [TS.jpeg2000Lossless]: (c) => NativeCodecs.decodeJpeg2000(c),
  [TS.jpeg2000]: (c) => NativeCodecs.decodeJpeg2000(c),
  // HTJ2K lossless, lossless RPCL, and lossy: the receiver accepts them (src/receive/presentation.ts)
  [TS.htj2kLossless]: (c) => NativeCodecs.decodeHtJpeg2000(c),
  [TS.htj2kLosslessRpcl]: (c) => NativeCodecs.decodeHtJpeg2000(c),
  [TS.htj2k]: (c) => NativeCodecs.decodeHtJpeg2000(c),
};
const RLE = TS.rle;
const JPEG_LS = new Set<string>([TS.jpegLsLossless, TS.jpegLsNearLossless]);

interface CharlsDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  delete(): void;
}
interface CharlsModule { JpegLSDecoder: new () => CharlsDecoder }

let charls: CharlsModule | undefined;
let charlsReady: Promise<void> | undefined;

export function hasDecoder(ts: string): boolean {
  return DCMJS_CODECS[ts] !== undefined;
}

/** Compiles the WebAssembly each decoder needs, once per thread; await it before decodeFrame. */
export function prepareDecoders(): Promise<void> {
  charlsReady ??= (async () => {
    const factory = require('@cornerstonejs/codec-charls/decodewasmjs') as () => Promise<CharlsModule>;
    charls = await factory();
  })();
  return Promise.all([ensureCodecs(), charlsReady]).then(() => undefined);
}

/** Decoded bytes of one frame (interleaved samples); refusals are UNSUPPORTED_PIXEL_DATA. */
export function decodeFrame(encoded: Uint8Array, f: PixelFormat, ts: string): Uint8Array {
  const decode = DCMJS_CODECS[ts];
  if (!decode) throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `transfer syntax ${ts} has no decoder here`);
  try {
    // CharLS keeps a colour image in the file's interleave mode (maybe by plane); dcmjs-codecs interleaves it
    if (ts === RLE) checkRleHeader(encoded, f);
    const fast = JPEG_LS.has(ts) && f.samplesPerPixel === 1 ? decodeCharls(encoded, f) : undefined;
    return fast ?? decodeDcmjsCodecs(decode, encoded, f);
  } catch (err) {
    if (err instanceof VolumeError) throw err;
    // Emscripten throws C++ exceptions as numbers
    const reason = err instanceof Error ? err.message : `codec error ${String(err)}`;
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `cannot decode ${ts}: ${reason}`);
  }
}

/** Undefined when CharLS's output is not laid out as the header says (8-bit samples in 16-bit words). */
function decodeCharls(encoded: Uint8Array, f: PixelFormat): Uint8Array | undefined {
  if (!charls) throw new VolumeError('WORKER_FAILED', 'JPEG-LS decoder used before prepareDecoders()');
  const decoder = new charls.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    if (info.width !== f.columns || info.height !== f.rows || info.bitsPerSample > f.bitsAllocated
      || info.componentCount !== 1) {
      throw new VolumeError('UNSUPPORTED_PIXEL_DATA',
        `JPEG-LS frame is ${info.width}×${info.height}, ${info.bitsPerSample} bits, `
        + `${info.componentCount} components; the header says ${f.columns}×${f.rows}, ${f.bitsAllocated} bits allocated, 1 sample`);
    }
    if ((info.bitsPerSample > 8 ? 16 : 8) !== f.bitsAllocated) return undefined;
    return decoder.getDecodedBuffer().slice(); // a view into WebAssembly memory, reused by the next decode
  } finally {
    decoder.delete();
  }
}

/**
 * dcmjs-codecs decodes an RLE frame whose header is garbage into a frame of zeros: check the header first. One
 * segment per byte of each sample, the first starting after the 64-byte header, in order (PS3.5 G.4, G.5).
 */
function checkRleHeader(encoded: Uint8Array, f: PixelFormat): void {
  const expected = f.samplesPerPixel * (f.bitsAllocated / 8);
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segments = encoded.length >= 64 ? view.getUint32(0, true) : 0;
  const offsets = Array.from({ length: Math.min(segments, 15) }, (_, n) => view.getUint32(4 + 4 * n, true));
  const ordered = offsets[0] === 64 && offsets.every((o, n) => o < encoded.length && (n === 0 || o > offsets[n - 1]!));
  if (segments !== expected || !ordered) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `RLE frame header: ${segments} segments at [${offsets.join(', ')}] `
      + `in ${encoded.length} bytes; ${expected} segments expected, the first at 64`);
  }
}

function decodeDcmjsCodecs(decode: (c: CodecContext) => CodecContext, encoded: Uint8Array, f: PixelFormat): Uint8Array {
  const context = new Context({
    width: f.columns,
    height: f.rows,
    bitsAllocated: f.bitsAllocated,
    bitsStored: f.bitsStored,
    samplesPerPixel: f.samplesPerPixel,
    pixelRepresentation: f.signed ? 1 : 0,
    planarConfiguration: f.planarConfiguration,
    photometricInterpretation: f.photometric,
    encodedBuffer: encoded,
  });
  const decoded = decode(context).getDecodedBuffer();
  if (!decoded) throw new Error('codec returned no data');
  return decoded;
}
