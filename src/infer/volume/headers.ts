// The header pass of the volume loader: each file's header (read up to PixelData), checked to be a
// greyscale image, turned into the frames it contributes. Runs in the loader thread and its helpers.
import { readHeaderBytes } from '../../dicom/header-bytes.js';
import { parsePart10, type Dataset, type ParsedInstance } from './dcm.js';
import { framesOfInstance, type FrameRef } from './frames.js';
import { pixelFormat } from './pixels.js';
import { VolumeError } from './types.js';
import { SOP } from '../../dicom/uids.js';

// RT Dose is a dose grid, not an image a model should read as one
const NON_IMAGE_SOP_CLASSES = new Set<string>([SOP.segmentationStorage, SOP.rtDoseStorage]);

export interface HeaderShare { frames: FrameRef[]; syntaxes: Record<string, string> }

/** The header pass over some files: their frames (in file order) and each file's transfer syntax. */
export function readHeaders(files: string[]): HeaderShare {
  const frames: FrameRef[] = [];
  const syntaxes: Record<string, string> = {};
  for (const file of files) {
    const instance = parseHeader(file);
    checkIsGreyscaleImage(file, instance.dataset);
    syntaxes[file] = instance.transferSyntaxUid;
    frames.push(...framesOfInstance(file, instance));
  }
  return { frames, syntaxes };
}

/** Only the header part of the file is read (see src/header-bytes.ts). */
function parseHeader(file: string): ParsedInstance {
  let bytes: Uint8Array;
  try {
    bytes = readHeaderBytes(file);
  } catch (err) {
    throw new VolumeError('READ_FAILED', `${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseOrRefuse(file, bytes);
}

function parseOrRefuse(file: string, bytes: Uint8Array): ParsedInstance {
  try {
    return parsePart10(bytes, true);
  } catch (err) {
    throw new VolumeError('READ_FAILED',
      `${file}: not a readable DICOM Part 10 file (${(err as Error).message ?? err})`);
  }
}

function checkIsGreyscaleImage(file: string, ds: Dataset): void {
  const sopClass = String(ds.SOPClassUID ?? '');
  if (NON_IMAGE_SOP_CLASSES.has(sopClass) || ds.Rows === undefined || ds.BitsAllocated === undefined) {
    throw new VolumeError('NOT_AN_IMAGE', `${file}: SOP class ${sopClass || '(none)'} is not an image with pixel data`);
  }
  const format = pixelFormat(ds);
  if (format.samplesPerPixel !== 1 || !format.photometric.startsWith('MONOCHROME')) {
    throw new VolumeError('UNSUPPORTED_PIXEL_DATA',
      `${file}: ${format.photometric} with ${format.samplesPerPixel} samples per pixel; volumes are greyscale`);
  }
}

