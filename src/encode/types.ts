// Input and output types of the encode stage: what a model run hands over, what SEG/SR encoding returns.

// Segments come straight from a model manifest: one definition, owned by the manifest.
import type { Code } from '../infer/manifest.js';
export type { Code, SegmentDescription } from '../infer/manifest.js';

export interface AlgorithmIdentity {
  name: string; version: string; family: Code; modelId: string; description?: string
}

/** Header of source slice k (no PixelData), slices in volume order: what the volume loader returns. */
export type { SliceHeader as SourceSlice } from '../infer/volume/types.js';

/** [cols, rows, slices]; index = i + cols*(j + rows*k); voxel (i,j,k) is column i, row j of source slice k */
export interface LabelVolume { dims: [number, number, number]; data: Uint8Array }

export interface JobIdentity {
  jobId: string; uidRoot: string; contentCreator?: string; manufacturer?: string; softwareVersion?: string;
  deviceSerialNumber?: string; omitEmptyFrames?: boolean;
}

export interface EncodedSegment { number: number; label: string; voxelCount: number; volumeMl: number }

/** A closed outline on one source image: closed SCOORD POLYLINE, column/row pixel coordinates (an RT ROI contour). */
export interface ImageRegion { sopClassUid: string; sopInstanceUid: string; points: number[] }

export interface SegmentationResult {
  bytes: Uint8Array;            // Part-10 file
  sopInstanceUid: string;
  seriesInstanceUid: string;
  segments: EncodedSegment[];   // only the segments written to the SEG, numbered 1..N
  absent: string[];             // labels of segments with no voxels (left out of the SEG)
  /** the label volume encoded (a reference, not a copy): lets the SR compute intensity statistics without
   *  re-reading the SEG; drop it before persisting or posting the result (the SR then reads seg.bytes) */
  labels?: LabelVolume;
  /** the measured object's SOP Class when it is not a SEG (an RT Structure Set), named in the SR's evidence */
  sopClassUid?: string;
  /** RT Structure Set ROIs by ROI number (the segments' `number`): their contours stand in the measurement group for
   *  the Referenced Segment (TID 1411 Image Region); coded: the ROI had a code, written as its Finding */
  rtRois?: Map<number, { regions: ImageRegion[]; coded: boolean }>;
}

export interface MeasurementReportResult { bytes: Uint8Array; sopInstanceUid: string; seriesInstanceUid: string }

export interface FramePosition { imagePositionPatient: [number, number, number]; sourceSopInstanceUid?: string }

export interface ReadSegment { number: number; label: string; category: Code; type: Code }

/** A frame of one segment when no source grid was given to map it onto. */
export interface SegmentFrame extends FramePosition { mask: Uint8Array /* rows*cols, 0/1 */ }

export interface ReadSegmentationBase { rows: number; columns: number; segments: ReadSegment[] }

/** With sources: segment number → mask on the source grid (cols*rows*slices, 0/1, voxel order of LabelVolume). */
export interface ReadSegmentationOnGrid extends ReadSegmentationBase { masks: Map<number, Uint8Array> }

/** Without sources: segment number → that segment's frames, each with its ImagePositionPatient. */
export interface ReadSegmentationFrames extends ReadSegmentationBase { masks: Map<number, SegmentFrame[]> }
