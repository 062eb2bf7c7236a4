// One frame of a stored image → its stored samples and the header that prepares it (window, photometric, spacing), with
// an enhanced object's functional groups for that frame lifted to the top. dcmjs reads the header only; the frame is
// read as the volume loader reads it (a native frame is a view into the file, a compressed one goes to its codec).
import { headerPrefix } from '../../dicom/header-bytes.js';
import { parsePart10, type Dataset } from '../volume/dcm.js';
import { FileReader, frameReader } from '../volume/fill.js';
import { pixelFormat } from '../volume/pixels.js';
import { VolumeError } from '../volume/types.js';
import type { Samples } from '../volume/pixels.js';

/** A decoded frame: stored samples (the modality LUT is applied with the window, see grey.ts) and its header. */
export interface LoadedFrame {
  stored: Samples; rows: number; columns: number; dataset: Dataset;
  sopInstanceUid: string; sopClassUid: string; frameNumber?: number; frames: number;
}

/**
 * Reads `file` and decodes frame `frameNumber` (1-based; default 1); refusals are VolumeErrors with their codes. With
 * a `reader` (one per run of images) the file goes into its reused buffer, and a native frame's samples are a view of
 * it, valid until the reader's next file: a fresh 10 MB buffer per radiograph cost more in page faults than the read.
 */
export async function loadImageFrame(file: string, frameNumber = 1, reader = new FileReader()): Promise<LoadedFrame> {
  const bytes = reader.read(file);
  let instance;
  try {
    instance = parsePart10(headerPrefix(bytes), true);
  } catch (err) {
    throw new VolumeError('READ_FAILED', `${file}: not a readable DICOM Part 10 file (${(err as Error).message})`);
  }
  const ds = instance.dataset;
  if (ds.Rows === undefined || ds.BitsAllocated === undefined) {
    throw new VolumeError('NOT_AN_IMAGE', `${file}: SOP class ${String(ds.SOPClassUID ?? '(none)')} has no pixel data`);
  }
  const format = pixelFormat(ds);
  if (format.samplesPerPixel !== 1 || !format.photometric.startsWith('MONOCHROME')) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA',
      `${file}: ${format.photometric} with ${format.samplesPerPixel} samples per pixel; 2D models read greyscale`);
  }
  const frames = Number(ds.NumberOfFrames ?? 1) || 1;
  if (frameNumber > frames) throw new VolumeError('NOT_AN_IMAGE',
    `${file}: frame ${frameNumber} asked, the object has ${frames}`);
  const read = await frameReader({ file, transferSyntaxUid: instance.transferSyntaxUid, format, frameCount: frames },
    bytes);
  const samples = read(frameNumber - 1);
  const dataset = frames > 1 ? frameDataset(ds, frameNumber - 1) : ds;
  return {
    stored: samples, rows: format.rows, columns: format.columns, dataset,
    sopInstanceUid: String(ds.SOPInstanceUID ?? ''), sopClassUid: String(ds.SOPClassUID ?? ''),
    ...(frames > 1 ? { frameNumber } : {}), frames,
  };
}

/** The header of one frame of a multi-frame object: its shared and per-frame functional groups lifted up. */
function frameDataset(ds: Dataset, frameIndex: number): Dataset {
  const items = (v: unknown): Dataset[] =>
    (Array.isArray(v) ? (v as Dataset[]) : v && typeof v === 'object' ? [v as Dataset] : []);
  const { PerFrameFunctionalGroupsSequence: perFrame, SharedFunctionalGroupsSequence: shared, ...common } = ds;
  const flat: Dataset = { ...common };
  for (const groups of [items(shared)[0], items(perFrame)[frameIndex]]) {
    if (!groups) continue;
    for (const sequence of ['FrameVOILUTSequence', 'PixelValueTransformationSequence', 'PixelMeasuresSequence']) {
      Object.assign(flat, items(groups[sequence])[0] ?? {});
    }
  }
  return flat;
}
