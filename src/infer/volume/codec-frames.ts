// Pixel data of a parsed instance -> stored sample values of one frame: native data through pixels.ts,
// compressed syntaxes through the dcmjs-codecs WebAssembly decoders.
import { Context, NativeCodecs, type ParsedInstance } from './dcm.js';
import { bytesPerFrame, nativeFrameSamples, NATIVE_SYNTAXES, pixelFormat, storedSamples, type PixelFormat, type Samples } from './pixels.js';
import { VolumeError } from './types.js';

type Decoder = (context: InstanceType<typeof Context>) => InstanceType<typeof Context>;
const DECODERS: Record<string, Decoder> = {
  '1.2.840.10008.1.2.5': (c) => NativeCodecs.decodeRle(c),
  '1.2.840.10008.1.2.4.50': (c) => NativeCodecs.decodeJpeg(c, { convertColorspaceToRgb: true }),
  '1.2.840.10008.1.2.4.51': (c) => NativeCodecs.decodeJpeg(c, { convertColorspaceToRgb: true }),
  '1.2.840.10008.1.2.4.57': (c) => NativeCodecs.decodeJpeg(c),
  '1.2.840.10008.1.2.4.70': (c) => NativeCodecs.decodeJpeg(c),
  '1.2.840.10008.1.2.4.80': (c) => NativeCodecs.decodeJpegLs(c),
  '1.2.840.10008.1.2.4.81': (c) => NativeCodecs.decodeJpegLs(c),
  '1.2.840.10008.1.2.4.90': (c) => NativeCodecs.decodeJpeg2000(c),
  '1.2.840.10008.1.2.4.91': (c) => NativeCodecs.decodeJpeg2000(c),
};

/**
 * Stored values of frame `frameIndex` (interleaved samples), sign-extended/masked to BitsStored. Native
 * frames are swapped and masked in place, without copies: decode each frame of a parsed instance once.
 */
export function decodeFrameSamples(instance: ParsedInstance, frameIndex: number): Samples {
  const format = pixelFormat(instance.dataset);
  const ts = instance.transferSyntaxUid;
  if (!instance.pixelData) throw new VolumeError('NOT_AN_IMAGE', 'no PixelData');
  if (NATIVE_SYNTAXES.has(ts)) return nativeFrameSamples(concat(instance.pixelData), frameIndex, format, ts, instance.pixelDataVr);
  const decode = DECODERS[ts];
  if (!decode) throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `transfer syntax ${ts} has no decoder here`);
  const bytes = decodeEncapsulated(decode, encapsulatedFrame(instance, frameIndex), format, ts);
  if (bytes.byteLength < bytesPerFrame(format)) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `decoded frame has ${bytes.byteLength} bytes, expected ${bytesPerFrame(format)}`);
  }
  return storedSamples(bytes, format);
}

/** Frame n of encapsulated data: one fragment per frame, or all fragments when the object has a single frame. */
function encapsulatedFrame(instance: ParsedInstance, frameIndex: number): Uint8Array {
  const fragments = instance.pixelData!;
  const frameCount = Number(instance.dataset.NumberOfFrames ?? 1) || 1;
  if (frameCount === 1) return concat(fragments);
  if (fragments.length === frameCount) return new Uint8Array(fragments[frameIndex]!);
  // no offset table and several fragments per frame: a JPEG-family frame starts with its SOI/SOC marker
  const starts = fragments.flatMap((f, n) => (startsFrame(new Uint8Array(f)) ? [n] : []));
  if (starts.length !== frameCount) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `${fragments.length} fragments for ${frameCount} frames and no offset table`);
  }
  return concat(fragments.slice(starts[frameIndex], starts[frameIndex + 1]));
}

function startsFrame(b: Uint8Array): boolean {
  return b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f);
}

function decodeEncapsulated(decode: Decoder, encoded: Uint8Array, f: PixelFormat, ts: string): Uint8Array {
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
  try {
    const decoded = decode(context).getDecodedBuffer();
    if (!decoded) throw new Error('codec returned no data');
    return decoded;
  } catch (err) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `cannot decode ${ts}: ${(err as Error).message ?? err}`);
  }
}

function concat(parts: ArrayBuffer[]): Uint8Array {
  if (parts.length === 1) return new Uint8Array(parts[0]!);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}
