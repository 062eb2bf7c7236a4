// An RT Structure Set from elsewhere as the measure job sees it: its ROIs' contours placed on the source grid
// (masks for the features) and kept as outlines on their slices (the SR's image regions), in the shape the SEG
// path hands to the SR encoder, so both are measured and reported by the same code.
import type { EncodedSegment, ImageRegion, SegmentationResult, SourceSlice } from '../encode/types.js';
import type { ForeignSegment, SegmentationReferences } from './foreign-segmentation.js';
import { placeRoi, readRtStruct } from './rtstruct-contours.js';
import { SOP } from '../dicom/uids.js';

/** An ROI without a code of its own is described by this one, which the SR does not write (no Finding). */
const UNCODED = { scheme: '99DAIN', value: 'RTROI', meaning: 'RT Structure Set ROI' };

/** The references a measure job checks before loading anything: the source series and its images. */
export function rtStructReferences(bytes: Uint8Array): SegmentationReferences {
  const { sopInstanceUid, seriesInstanceUid, sourceSeriesUid, referencedImages } = readRtStruct(bytes);
  return { kind: 'RTSTRUCT', sopInstanceUid, seriesInstanceUid, sourceSeriesUid, referencedImages };
}

/**
 * Every ROI with closed planar contours, on the source grid (MEASURE_CONTOUR_OFF_PLANE for a contour on no slice);
 * labels made unique. An ROI without contours is reported absent when it has a code (TID 1500 names an absent
 * structure by its code) and left out otherwise.
 */
export function foreignRois(
  bytes: Uint8Array, refs: SegmentationReferences, slices: SourceSlice[], voxelMl: number,
): { segments: ForeignSegment[]; seg: SegmentationResult } {
  const content = readRtStruct(bytes);
  const used = new Set<string>();
  const rtRois = new Map<number, { regions: ImageRegion[]; coded: boolean }>();
  const segments: ForeignSegment[] = [];
  for (const roi of content.rois) {
    const { mask, regions } = placeRoi(roi, slices);
    let voxelCount = 0;
    for (let v = 0; v < mask.length; v++) voxelCount += mask[v]!;
    if (voxelCount === 0 && !roi.code) continue;
    let label = roi.name.slice(0, 64);
    if (used.has(label)) label = `${label.slice(0, 56)} (#${roi.number})`;
    used.add(label);
    rtRois.set(roi.number, { coded: roi.code !== undefined, regions: regions.map((r) => ({
      sopClassUid: slices[r.slice]!.sopClassUid, sopInstanceUid: slices[r.slice]!.sopInstanceUid,
      points: r.points })) });
    const encoded: EncodedSegment = { number: roi.number, label, voxelCount, volumeMl: voxelCount * voxelMl };
    segments.push({ encoded, mask, description: {
      labelValues: [1], label, category: roi.code ?? UNCODED, type: roi.code ?? UNCODED, colorRgb: [0, 0, 0],
      measurements: ['volume'],
    } });
  }
  const present = segments.filter((s) => s.encoded.voxelCount > 0);
  const seg: SegmentationResult = {
    bytes, sopInstanceUid: refs.sopInstanceUid, seriesInstanceUid: refs.seriesInstanceUid,
    sopClassUid: SOP.rtStructureSetStorage, rtRois,
    segments: present.map((s) => s.encoded), absent: segments.filter(
      (s) => s.encoded.voxelCount === 0).map((s) => s.encoded.label),
  };
  return { segments, seg };
}
