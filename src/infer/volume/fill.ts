// The pixel pass: each file's frames decoded and rescaled straight into their slots of the shared volume.
// Native files are read once into a reused buffer and their PixelData found by the structural scanner, so
// the common case allocates nothing per file and never loads dcmjs; compressed files are read the same way,
// their frames found by fragments.ts and decoded by decoders.ts (loaded on first need); anything else goes
// through dcmjs.
import fs from 'node:fs';
import type { PixelDataLocation } from '../../dicom/dataset-walker.js';
import { scanPart10Bytes } from '../../dicom/header-scan.js';
import { nativeFrameSamples, type PixelFormat, type Samples } from './pixels.js';
import { VolumeError } from './types.js';
import { NATIVE_TRANSFER_SYNTAXES, TS } from '../../dicom/uids.js';

const DEFLATED = TS.deflatedExplicitLittle;

/** One file's share of the pixel pass: where each of its frames goes, and how to rescale it. */
export interface FileWork {
  file: string;
  transferSyntaxUid: string;
  format: PixelFormat;
  /** NumberOfFrames of the file (1 for single-frame objects) */
  frameCount: number;
  slots: Array<{ k: number; frameIndex: number; slope: number; intercept: number }>;
}

export async function fillSlices(data: Float32Array, sliceSize: number, work: FileWork[]): Promise<void> {
  const reader = new FileReader();
  for (const w of work) {
    const samplesOf = await frameReader(w, reader.read(w.file));
    for (const { k, frameIndex, slope, intercept } of w.slots) {
      rescaleInto(data.subarray(k * sliceSize, (k + 1) * sliceSize), samplesOf(frameIndex), slope, intercept);
    }
  }
}

/** What a file's frames are read from: its syntax, pixel format and frame count (from its header). */
export type FrameFile = Pick<FileWork, 'file' | 'transferSyntaxUid' | 'format' | 'frameCount'>;

/**
 * Each frame's stored samples from the file's bytes (the caller keeps them while it reads frames): native PixelData
 * found by the structural scanner, encapsulated frames by fragments.ts, and anything else parsed by dcmjs.
 */
export async function frameReader(w: FrameFile, file: Buffer): Promise<(frameIndex: number) => Samples> {
  const native = nativePixels(w, file);
  const ts = w.transferSyntaxUid;
  if (native) return (frameIndex) => nativeFrameSamples(native.bytes, frameIndex, w.format, ts, native.vr);
  return (await compressedFrames(w, file)) ?? (await parsedFrames(w, file));
}

/**
 * The typed-array conversion is native (set), then one monomorphic float loop: a loop reading the
 * Int16/Uint16/… samples directly is polymorphic and ran at ~11 ns per voxel.
 */
function rescaleInto(target: Float32Array, samples: Samples, slope: number, intercept: number): void {
  target.set(samples);
  if (slope === 1 && intercept === 0) return;
  const n = target.length;
  for (let p = 0; p < n; p++) target[p] = target[p]! * slope + intercept;
}

/** The PixelData value of a native (not deflated) file, as a view into the reader's buffer; undefined otherwise. */
function nativePixels(w: FrameFile, file: Buffer): { bytes: Uint8Array; vr: string } | undefined {
  if (!NATIVE_TRANSFER_SYNTAXES.has(w.transferSyntaxUid) || w.transferSyntaxUid === DEFLATED) return undefined;
  let location: PixelDataLocation | undefined;
  try {
    location = scanPart10Bytes(file).pixelData;
  } catch {
    return undefined; // the general path below gives the precise refusal
  }
  return location && { bytes: file.subarray(location.valueAt, location.valueAt + location.length), vr: location.vr };
}

/** Frames of an encapsulated file, as views into the reader's buffer; undefined for a file laid out otherwise. */
async function compressedFrames(w: FrameFile, file: Buffer): Promise<((frameIndex: number) => Samples) | undefined> {
  const [{ hasDecoder, prepareDecoders }, { decodedSamples }, { encapsulatedFrames }] = await Promise.all([
    import('./decoders.js'), import('./codec-frames.js'), import('./fragments.js')]);
  if (!hasDecoder(w.transferSyntaxUid)) return undefined;
  await prepareDecoders();
  const frames = encapsulatedFrames(file, w.frameCount);
  if (!frames) return undefined;
  return (frameIndex) => {
    if (!frames[frameIndex]) throw new VolumeError('UNSUPPORTED_PIXEL_DATA',
      `${w.file}: no frame ${frameIndex + 1} in its PixelData`);
    return decodedSamples(frames[frameIndex], w.format, w.transferSyntaxUid);
  };
}

/** Deflated, odd encapsulated, or odd native files: parse with dcmjs and decode through the codecs. */
async function parsedFrames(w: FrameFile, bytes: Buffer): Promise<(frameIndex: number) => Samples> {
  const [{ parsePart10 }, { decodeFrameSamples }, { prepareDecoders }] = await Promise.all([
    import('./dcm.js'), import('./codec-frames.js'), import('./decoders.js')]);
  if (!NATIVE_TRANSFER_SYNTAXES.has(w.transferSyntaxUid)) await prepareDecoders();
  let instance: ReturnType<typeof parsePart10>;
  try {
    instance = parsePart10(bytes, false);
  } catch (err) {
    throw new VolumeError('READ_FAILED',
      `${w.file}: not a readable DICOM Part 10 file (${(err as Error).message ?? err})`);
  }
  if (!instance.pixelData) throw new VolumeError('NOT_AN_IMAGE', `${w.file}: no PixelData`);
  return (frameIndex) => decodeFrameSamples(instance, frameIndex);
}

/** Whole-file reads into one growing buffer: each returned view is valid until the next read. */
export class FileReader {
  private buffer = Buffer.alloc(0);

  read(file: string): Buffer {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      throw new VolumeError('READ_FAILED', `${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size > this.buffer.length) this.buffer = Buffer.alloc(Math.max(size, this.buffer.length * 2));
      let got = 0;
      while (got < size) {
        const n = fs.readSync(fd, this.buffer, got, size - got, got);
        if (n === 0) throw new VolumeError('READ_FAILED', `${file}: shorter than its size (${got} of ${size} bytes)`);
        got += n;
      }
      return this.buffer.subarray(0, size);
    } finally {
      fs.closeSync(fd);
    }
  }
}
