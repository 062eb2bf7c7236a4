// The volume contract: what a stored DICOM series becomes before a model sees it.

export interface Volume {
  /** [columns (i), rows (j), slices (k)] */
  dims: [number, number, number];
  /** mm: [column spacing (along i), row spacing (along j), slice spacing (along k)] */
  spacing: [number, number, number];
  /** 16 numbers, row-major 4x4: voxel (i, j, k, 1) -> patient LPS mm */
  affine: number[];
  /** rescaled values (HU for CT); index = i + cols * (j + rows * k); backed by a SharedArrayBuffer */
  data: Float32Array;
}

/** dataset = dcmjs naturalized header without PixelData (for a frame of an enhanced object: flattened, see
 *  frames.ts) */
export interface SliceHeader {
  sopInstanceUid: string;
  sopClassUid: string;
  /** 1-based frame number inside a multi-frame instance; absent for single-frame instances */
  frameNumber?: number;
  dataset: Record<string, unknown>;
}

export interface LoadedSeries {
  volume: Volume;
  /** slices[k] is the source of volume slice k (k increases along the slice normal) */
  slices: SliceHeader[];
  seriesInstanceUid: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
}

export interface LoadOptions {
  /** fewer slices than this is refused with TOO_FEW_SLICES (default 3: one slice is not a volume a 3D model can use) */
  minSlices?: number;
  /** largest allowed relative deviation of any slice step from the median step (default 0.05 = 5 %) */
  spacingTolerance?: number;
  /** helper threads that read and decode (default: one per 64 files, per 8 compressed ones, at most min(4, cores)) */
  threads?: number;
}

export const volumeErrorCodes = [
  'READ_FAILED', // a file is not readable DICOM Part 10
  'NOT_AN_IMAGE', // no pixel data or no image geometry
  'MIXED_SERIES', // files from more than one series (or study / frame of reference)
  'MIXED_ORIENTATION',
  'MIXED_SIZE', // rows/columns or pixel spacing differ between slices
  'DUPLICATE_POSITION', // two slices at the same position (several echoes, phases or acquisitions)
  'NON_UNIFORM_SPACING', // a missing slice, or irregular steps beyond spacingTolerance
  'GANTRY_TILT', // slice positions not along the slice normal (tilt or shear)
  'TOO_FEW_SLICES',
  'UNSUPPORTED_PIXEL_DATA', // colour, 1-bit, float, or a transfer syntax no codec handles
  'WORKER_FAILED', // the decoding worker died, or met an error that is not one of the refusals above (a bug)
] as const;
export type VolumeErrorCode = (typeof volumeErrorCodes)[number];

/** Every refusal to build a volume carries a stable code and a message an admin can act on. */
export class VolumeError extends Error {
  readonly code: VolumeErrorCode;
  /** the message without the code prefix (used to carry the error across the worker boundary) */
  readonly reason: string;
  constructor(code: VolumeErrorCode, reason: string) {
    super(`${code}: ${reason}`);
    this.name = 'VolumeError';
    this.code = code;
    this.reason = reason;
  }
}
