// Reads a BINARY DICOM SEG (ours or anyone's) back into per-segment masks: on the source grid when the source
// slices are given (frames matched by referenced SOP Instance UID, else by ImagePositionPatient), else per frame.
import { EncodeError } from './errors.js';
import { readPart10, type NaturalDataset } from './dicom-io.js';

import type {
  Code, ReadSegment, ReadSegmentationFrames, ReadSegmentationOnGrid, SegmentFrame, SourceSlice
} from './types.js';
import { NATIVE_TRANSFER_SYNTAXES, SOP } from '../dicom/uids.js';

const POSITION_TOLERANCE_MM = 0.05;

export function readSegmentation(bytes: Uint8Array): ReadSegmentationFrames;
export function readSegmentation(bytes: Uint8Array, sources: SourceSlice[]): ReadSegmentationOnGrid;
export function readSegmentation(bytes: Uint8Array,
  sources?: SourceSlice[]): ReadSegmentationFrames | ReadSegmentationOnGrid {
  const { meta, dataset: ds } = readPart10(bytes);
  checkIsBinarySeg(meta, ds);
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  const frameCount = Number(ds.NumberOfFrames ?? 1);
  const pixels = pixelBytes(ds, rows * columns * frameCount);
  const shared = (sequence(ds.SharedFunctionalGroupsSequence)[0] ?? {}) as NaturalDataset;
  const perFrame = sequence(ds.PerFrameFunctionalGroupsSequence);
  if (perFrame.length !== frameCount) malformed(
    `PerFrameFunctionalGroupsSequence has ${perFrame.length} items for ${frameCount} frames`);
  const frames = new Map<number, SegmentFrame[]>();
  for (let f = 0; f < frameCount; f++) {
    const groups = { ...shared, ...perFrame[f] };
    const segmentNumber = Number(first(first(groups.SegmentIdentificationSequence)?.ReferencedSegmentNumber));
    if (!Number.isInteger(segmentNumber) || segmentNumber < 1) malformed(`frame ${f + 1} names no segment`);
    const position = first(groups.PlanePositionSequence)?.ImagePositionPatient;
    const frame: SegmentFrame = {
      imagePositionPatient: Array.isArray(position) && position.length === 3
        ? position.map(Number) as [number, number, number] : malformed(`frame ${f + 1} has no ImagePositionPatient`),
      sourceSopInstanceUid: referencedSource(groups),
      mask: unpackFrame(pixels, f * rows * columns, rows * columns),
    };
    frames.set(segmentNumber, [...(frames.get(segmentNumber) ?? []), frame]);
  }
  const segments = sequence(ds.SegmentSequence).map(readSegmentItem);
  if (!sources) return { rows, columns, segments, masks: frames };
  return { rows, columns, segments, masks: placeOnGrid(frames, sources, rows, columns) };
}

function checkIsBinarySeg(meta: NaturalDataset, ds: NaturalDataset): void {
  if (ds.SOPClassUID !== SOP.segmentationStorage) throw new EncodeError('SEG_READ_NOT_SEG',
    `SOP Class ${String(ds.SOPClassUID)} is not Segmentation Storage`);
  if (ds.SegmentationType !== 'BINARY') throw new EncodeError('SEG_READ_UNSUPPORTED',
    `SegmentationType ${String(ds.SegmentationType)}: only BINARY is read`);
  const syntax = String(meta.TransferSyntaxUID ?? '');
  if (!NATIVE_TRANSFER_SYNTAXES.has(syntax)) throw new EncodeError('SEG_READ_UNSUPPORTED',
    `transfer syntax ${syntax} (compressed pixel data) is not read`);
  if (Number(ds.BitsAllocated) !== 1) malformed(`BitsAllocated ${String(ds.BitsAllocated)} in a BINARY SEG`);
  if (!(Number(ds.Rows) > 0 && Number(ds.Columns) > 0)) malformed('Rows/Columns missing');
}

function pixelBytes(ds: NaturalDataset, bitCount: number): Uint8Array {
  const value = ds.PixelData;
  const buffer = Array.isArray(value) ? value[0] : value;
  if (!(buffer instanceof ArrayBuffer)) malformed('PixelData missing');
  const bytes = new Uint8Array(buffer as ArrayBuffer);
  if (bytes.length < Math.ceil(bitCount / 8)) malformed(
    `PixelData has ${bytes.length} bytes, frames need ${Math.ceil(bitCount / 8)}`);
  return bytes;
}

/** Frames are bit-contiguous (PS3.5 8.1.1, pixel 0 in the least significant bit): a frame may start mid-byte. */
function unpackFrame(pixels: Uint8Array, firstBit: number, count: number): Uint8Array {
  const mask = new Uint8Array(count);
  for (let p = 0, bit = firstBit; p < count; p++, bit++) mask[p] = (pixels[bit >>> 3] >>> (bit & 7)) & 1;
  return mask;
}

function placeOnGrid(frames: Map<number, SegmentFrame[]>, sources: SourceSlice[], rows: number,
  columns: number): Map<number, Uint8Array> {
  const sliceBySop = new Map(sources.map((s, k) => [s.sopInstanceUid, k]));
  const positions = sources.map((s) => (s.dataset.ImagePositionPatient as unknown[] | undefined)?.map(Number));
  const srcRows = Number(sources[0]?.dataset.Rows);
  const srcCols = Number(sources[0]?.dataset.Columns);
  if (srcRows !== rows || srcCols !== columns) malformed(
    `SEG frames are ${columns}×${rows} but the sources are ${srcCols}×${srcRows}`);
  const plane = rows * columns;
  const masks = new Map<number, Uint8Array>();
  for (const [segmentNumber, list] of frames) {
    const grid = new Uint8Array(plane * sources.length);
    for (const frame of list) {
      const slice = (frame.sourceSopInstanceUid !== undefined ? sliceBySop.get(frame.sourceSopInstanceUid) : undefined)
        ?? sliceAtPosition(positions, frame.imagePositionPatient);
      const base = slice * plane;
      for (let p = 0; p < plane; p++) grid[base + p] |= frame.mask[p];
    }
    masks.set(segmentNumber, grid);
  }
  return masks;
}

function sliceAtPosition(positions: Array<number[] | undefined>, target: number[]): number {
  let best = -1;
  let bestDistance = Infinity;
  positions.forEach((p, k) => {
    if (!p) return;
    const d = Math.hypot(p[0] - target[0], p[1] - target[1], p[2] - target[2]);
    if (d < bestDistance) { best = k; bestDistance = d; }
  });
  if (bestDistance > POSITION_TOLERANCE_MM) {
    throw new EncodeError('SEG_READ_NO_SOURCE',
      `a frame at (${target.join(', ')}) matches no source slice (nearest ${bestDistance.toFixed(3)} mm away)`);
  }
  return best;
}

function referencedSource(groups: NaturalDataset): string | undefined {
  for (const derivation of sequence(groups.DerivationImageSequence)) {
    const uid = first(derivation.SourceImageSequence)?.ReferencedSOPInstanceUID;
    if (typeof uid === 'string' && uid !== '') return uid;
  }
  return undefined;
}

function readSegmentItem(item: NaturalDataset): ReadSegment {
  return {
    number: Number(item.SegmentNumber), label: String(item.SegmentLabel ?? ''),
    category: readCode(first(item.SegmentedPropertyCategoryCodeSequence)),
    type: readCode(first(item.SegmentedPropertyTypeCodeSequence)),
  };
}

function readCode(item: NaturalDataset | undefined): Code {
  return { scheme: String(item?.CodingSchemeDesignator ?? ''), value: String(item?.CodeValue ?? ''),
    meaning: String(item?.CodeMeaning ?? '') };
}

function sequence(value: unknown): NaturalDataset[] {
  return Array.isArray(value) ? (value as NaturalDataset[])
    : value && typeof value === 'object' ? [value as NaturalDataset] : [];
}

function first(value: unknown): NaturalDataset | undefined {
  return Array.isArray(value) ? (value[0] as NaturalDataset | undefined) : (value as NaturalDataset | undefined);
}

function malformed(message: string): never {
  throw new EncodeError('SEG_READ_MALFORMED', message);
}
