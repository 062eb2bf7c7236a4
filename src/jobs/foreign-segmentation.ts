// A SEG that arrived from elsewhere, checked before anything is measured: BINARY, and every image its frames
// reference stored; then its segments as the SR encoder describes them, with their masks on the source grid.
import { readPart10, type NaturalDataset } from '../encode/dicom-io.js';
import { readSegmentation } from '../encode/index.js';
import type { EncodedSegment, SegmentDescription, SegmentationResult, SourceSlice } from '../encode/types.js';
import { JobError } from './errors.js';
import { SOP } from '../dicom/uids.js';

/** What the SEG's header says it measures: its identity and the images its frames were derived from. */
export interface SegmentationReferences {
  /** a SEG, or an RT Structure Set whose ROIs are measured the same way (jobs/foreign-rtstruct.ts) */
  kind: 'SEG' | 'RTSTRUCT';
  sopInstanceUid: string; seriesInstanceUid: string;
  sourceSeriesUid: string;
  /** SOP Instance UIDs named by the frames (Derivation Image / Source Image) and the Referenced Series Sequence. */
  referencedImages: Set<string>;
}

/** Refuses what cannot be measured: not a SEG (MEASURE_NOT_SEG), a FRACTIONAL one (MEASURE_SEG_FRACTIONAL). */
export function segmentationReferences(bytes: Uint8Array): SegmentationReferences {
  const { dataset: ds } = readPart10(bytes);
  if (ds.SOPClassUID !== SOP.segmentationStorage) {
    throw new JobError('MEASURE_NOT_SEG', `SOP Class ${String(ds.SOPClassUID)} is not Segmentation Storage`);
  }
  if (ds.SegmentationType === 'FRACTIONAL') {
    throw new JobError('MEASURE_SEG_FRACTIONAL', 'a FRACTIONAL SEG (probabilities or occupancy) has no binary ROI to '
      + 'measure; IBSI features need a BINARY SEG');
  }
  const series = items(ds.ReferencedSeriesSequence);
  const sourceSeriesUid = String(series[0]?.SeriesInstanceUID ?? '');
  if (!sourceSeriesUid) {
    throw new JobError('MEASURE_SOURCE_MISSING', 'the SEG names no source series (Referenced Series Sequence)');
  }
  const referencedImages = new Set<string>();
  for (const s of series) {
    for (const i of items(s.ReferencedInstanceSequence)) addUid(referencedImages, i.ReferencedSOPInstanceUID);
  }
  const groups = [...items(ds.SharedFunctionalGroupsSequence), ...items(ds.PerFrameFunctionalGroupsSequence)];
  for (const g of groups) {
    for (const d of items(g.DerivationImageSequence)) {
      for (const src of items(d.SourceImageSequence)) addUid(referencedImages, src.ReferencedSOPInstanceUID);
    }
  }
  return {
    kind: 'SEG', sopInstanceUid: String(ds.SOPInstanceUID), seriesInstanceUid: String(ds.SeriesInstanceUID),
    sourceSeriesUid, referencedImages,
  };
}

/** MEASURE_SOURCE_MISSING unless every referenced image is among the stored instances of the source series. */
export function checkSourcesStored(refs: SegmentationReferences, stored: Set<string>): void {
  const missing = [...refs.referencedImages].filter((uid) => !stored.has(uid));
  if (stored.size === 0 || missing.length > 0) {
    const count = stored.size === 0 ? 'none of its images'
      : `${missing.length} of its ${refs.referencedImages.size} images`;
    const what = refs.kind === 'SEG' ? "the SEG's frames reference" : "the RT Structure Set's contours were drawn on";
    throw new JobError('MEASURE_SOURCE_MISSING', `${what} series ${refs.sourceSeriesUid}, `
      + `and ${count} are stored here: send the source series with the ${refs.kind}`);
  }
}

export interface ForeignSegment { description: SegmentDescription; encoded: EncodedSegment; mask: Uint8Array }

/** The SEG's segments on the source grid; labels made unique (the SR tells groups apart by them). */
export function foreignSegments(
  bytes: Uint8Array, refs: SegmentationReferences, slices: SourceSlice[], voxelMl: number,
): { segments: ForeignSegment[]; seg: SegmentationResult } {
  const read = readSegmentation(bytes, slices);
  const used = new Set<string>();
  const segments = read.segments.map((s): ForeignSegment => {
    const mask = read.masks.get(s.number) ?? new Uint8Array(read.rows * read.columns * slices.length);
    let voxelCount = 0;
    for (let v = 0; v < mask.length; v++) voxelCount += mask[v]!;
    let label = (s.label || `Segment ${s.number}`).slice(0, 64);
    if (used.has(label)) label = `${label.slice(0, 56)} (#${s.number})`;
    used.add(label);
    return {
      description: {
        labelValues: [1], label, category: s.category, type: s.type, colorRgb: [0, 0, 0], measurements: ['volume'],
      },
      encoded: { number: s.number, label, voxelCount, volumeMl: voxelCount * voxelMl },
      mask,
    };
  });
  const present = segments.filter((s) => s.encoded.voxelCount > 0);
  const seg: SegmentationResult = {
    bytes, sopInstanceUid: refs.sopInstanceUid, seriesInstanceUid: refs.seriesInstanceUid,
    segments: present.map((s) => s.encoded), absent: segments.filter(
      (s) => s.encoded.voxelCount === 0).map((s) => s.encoded.label),
  };
  return { segments, seg };
}

function items(value: unknown): NaturalDataset[] {
  return Array.isArray(value) ? (value as NaturalDataset[])
    : value && typeof value === 'object' ? [value as NaturalDataset] : [];
}

function addUid(set: Set<string>, uid: unknown): void {
  if (typeof uid === 'string' && uid !== '') set.add(uid);
}
