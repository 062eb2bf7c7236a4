// Pixel data of a parsed instance -> stored sample values of one frame: native data through pixels.ts,
// compressed syntaxes through the WebAssembly decoders of decoders.ts (await prepareDecoders() first).
import type { ParsedInstance } from './dcm.js';
import { decodeFrame, hasDecoder } from './decoders.js';
import { bytesPerFrame, nativeFrameSamples, pixelFormat, storedSamples, type PixelFormat,
  type Samples } from './pixels.js';
import { VolumeError } from './types.js';
import { NATIVE_TRANSFER_SYNTAXES } from '../../dicom/uids.js';

/**
 * Stored values of frame `frameIndex` (interleaved samples), sign-extended/masked to BitsStored. Native
 * frames are swapped and masked in place, without copies: decode each frame of a parsed instance once.
 */
export function decodeFrameSamples(instance: ParsedInstance, frameIndex: number): Samples {
  const format = pixelFormat(instance.dataset);
  const ts = instance.transferSyntaxUid;
  if (!instance.pixelData) throw new VolumeError('NOT_AN_IMAGE', 'no PixelData');
  if (NATIVE_TRANSFER_SYNTAXES.has(ts)) return nativeFrameSamples(concat(instance.pixelData), frameIndex, format, ts,
    instance.pixelDataVr);
  if (!hasDecoder(ts)) throw new VolumeError('UNSUPPORTED_PIXEL_DATA', `transfer syntax ${ts} has no decoder here`);
  return decodedSamples(encapsulatedFrame(instance, frameIndex), format, ts);
}

/** Stored values of one compressed frame, checked to be a whole frame. */
export function decodedSamples(encoded: Uint8Array, format: PixelFormat, ts: string): Samples {
  const bytes = decodeFrame(encoded, format, ts);
  if (bytes.byteLength < bytesPerFrame(format)) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA',
      `decoded frame has ${bytes.byteLength} bytes, expected ${bytesPerFrame(format)}`);
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
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA',
      `${fragments.length} fragments for ${frameCount} frames and no offset table`);
  }
  return concat(fragments.slice(starts[frameIndex], starts[frameIndex + 1]));
}

function startsFrame(b: Uint8Array): boolean {
  return b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f);
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
