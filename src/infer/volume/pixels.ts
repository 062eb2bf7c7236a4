// Pixel data -> stored sample values of one frame: native byte orders, and compressed syntaxes via dcmjs-codecs.
import { Context, NativeCodecs, type Dataset, type ParsedInstance } from './dcm.js';
import { VolumeError } from './types.js';

export type Samples = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface PixelFormat {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  signed: boolean;
  /** 1 = colour-by-plane (native data only; decoded output is always interleaved) */
  planarConfiguration: number;
  photometric: string;
}

const NATIVE = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99']);
const BIG_ENDIAN = '1.2.840.10008.1.2.2';
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

/** Stored values of frame `frameIndex` (interleaved samples), sign-extended/masked to BitsStored. */
export function decodeFrameSamples(instance: ParsedInstance, frameIndex: number): Samples {
  const format = pixelFormat(instance.dataset);
  const ts = instance.transferSyntaxUid;
  if (!instance.pixelData) throw new VolumeError('NOT_AN_IMAGE', 'no PixelData');
  const frameBytes = format.rows * format.columns * format.samplesPerPixel * (format.bitsAllocated / 8);
  let bytes: Uint8Array;
  if (NATIVE.has(ts)) {
    bytes = nativeFrameBytes(instance, frameIndex, frameBytes, format);
  } else {
    const decode = DECODERS[ts];
    if (!decode) throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `transfer syntax ${ts} has no decoder here`);
    bytes = decodeEncapsulated(decode, encapsulatedFrame(instance, frameIndex), format, ts);
    if (bytes.byteLength < frameBytes) {
      throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `decoded frame has ${bytes.byteLength} bytes, expected ${frameBytes}`);
    }
  }
  const samples = typedSamples(bytes.subarray(0, frameBytes), format);
  applyBitsStored(samples, format);
  return samples;
}

export function pixelFormat(ds: Dataset): PixelFormat {
  const format: PixelFormat = {
    rows: Number(ds.Rows),
    columns: Number(ds.Columns),
    samplesPerPixel: Number(ds.SamplesPerPixel ?? 1),
    bitsAllocated: Number(ds.BitsAllocated),
    bitsStored: Number(ds.BitsStored ?? ds.BitsAllocated),
    signed: Number(ds.PixelRepresentation ?? 0) === 1,
    planarConfiguration: Number(ds.PlanarConfiguration ?? 0),
    photometric: String(ds.PhotometricInterpretation ?? 'MONOCHROME2').trim(),
  };
  if (![8, 16, 32].includes(format.bitsAllocated)) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `BitsAllocated ${format.bitsAllocated} (only 8, 16, 32)`);
  }
  if (!(format.bitsStored > 0 && format.bitsStored <= format.bitsAllocated)) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `BitsStored ${format.bitsStored} with BitsAllocated ${format.bitsAllocated}`);
  }
  return format;
}

function nativeFrameBytes(instance: ParsedInstance, frameIndex: number, frameBytes: number, f: PixelFormat): Uint8Array {
  const all = concat(instance.pixelData!);
  const start = frameIndex * frameBytes;
  if (start + frameBytes > all.byteLength) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `PixelData too short for frame ${frameIndex + 1} (${all.byteLength} bytes)`);
  }
  const bytes = all.slice(start, start + frameBytes); // a copy: byte swapping must not touch the parsed buffer
  if (instance.transferSyntaxUid === BIG_ENDIAN) {
    // OW is swapped in 16-bit words even when it holds 8-bit samples; OB never is
    const word = f.bitsAllocated === 8 ? (instance.pixelDataVr === 'OW' ? 2 : 1) : f.bitsAllocated / 8;
    swapBytes(bytes, word);
  }
  return f.samplesPerPixel > 1 && f.planarConfiguration === 1 ? planarToInterleaved(bytes, f) : bytes;
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

function typedSamples(bytes: Uint8Array, f: PixelFormat): Samples {
  // copy into an aligned buffer: decoded views may start at odd offsets
  const buffer = bytes.byteOffset % 4 === 0 ? bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) : bytes.slice().buffer;
  if (f.bitsAllocated === 8) return f.signed ? new Int8Array(buffer) : new Uint8Array(buffer);
  if (f.bitsAllocated === 16) return f.signed ? new Int16Array(buffer) : new Uint16Array(buffer);
  return f.signed ? new Int32Array(buffer) : new Uint32Array(buffer);
}

/** Bits above BitsStored are not pixel data (overlays, garbage): mask them, and sign-extend signed values. */
function applyBitsStored(samples: Samples, f: PixelFormat): void {
  if (f.bitsStored >= f.bitsAllocated) return;
  const shift = 32 - f.bitsStored;
  const mask = 2 ** f.bitsStored - 1;
  for (let n = 0; n < samples.length; n++) {
    const v = samples[n]!;
    samples[n] = f.signed ? (v << shift) >> shift : (v & mask) >>> 0;
  }
}

function swapBytes(bytes: Uint8Array, word: number): void {
  for (let n = 0; n + word <= bytes.length; n += word) {
    for (let a = n, b = n + word - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

function planarToInterleaved(bytes: Uint8Array, f: PixelFormat): Uint8Array {
  const bytesPerSample = f.bitsAllocated / 8;
  const plane = f.rows * f.columns * bytesPerSample;
  const out = new Uint8Array(bytes.length);
  for (let p = 0; p < f.rows * f.columns; p++) {
    for (let s = 0; s < f.samplesPerPixel; s++) {
      for (let b = 0; b < bytesPerSample; b++) {
        out[(p * f.samplesPerPixel + s) * bytesPerSample + b] = bytes[s * plane + p * bytesPerSample + b]!;
      }
    }
  }
  return out;
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
