// An RT Structure Set's closed planar contours placed on the grid of the series they were drawn on: each contour
// must lie in one slice's plane (else MEASURE_CONTOUR_OFF_PLANE); pixels whose centres fall inside are set, several
// contours on one slice combine by the even-odd rule (a contour inside another is a hole). Each contour is also
// returned in that slice's pixel coordinates, which is how the SR outlines the ROI (TID 1411 Image Region).
import { readPart10, type NaturalDataset } from '../encode/dicom-io.js';
import type { Code, SourceSlice } from '../encode/types.js';
import { JobError } from './errors.js';
import { SOP } from '../dicom/uids.js';

/** code: the ROI's RT ROI Identification Code Sequence (RT ROI Observations), when it has one. */
export interface RoiContours { number: number; name: string; code?: Code; contours: number[][] /* x,y,z,… mm */ }
export interface RtStructReferences {
  sopInstanceUid: string; seriesInstanceUid: string; sourceSeriesUid: string;
  /** SOP Instance UIDs named by the RT Referenced Series' and the contours' Contour Image Sequences. */
  referencedImages: Set<string>;
}
export interface RtStructContent extends RtStructReferences { rois: RoiContours[] }
/** One contour on its slice: SCOORD pixel coordinates (column, row; the top left corner of the image is 0,0),
 *  closed. */
export interface ContourRegion { slice: number; points: number[] }
export interface PlacedRoi { mask: Uint8Array; regions: ContourRegion[] }

/** Planes closer than this fraction of the slice spacing count as the same plane (rounding in ContourData). */
const PLANE_TOLERANCE = 0.05;

/** MEASURE_NOT_SEG when the object is not an RT Structure Set; MEASURE_SOURCE_MISSING when it names no series. */
export function readRtStruct(bytes: Uint8Array): RtStructContent {
  const { dataset: ds } = readPart10(bytes);
  if (ds.SOPClassUID !== SOP.rtStructureSetStorage) {
    throw new JobError('MEASURE_NOT_SEG', `SOP Class ${String(ds.SOPClassUID)} is not RT Structure Set Storage`);
  }
  const names = new Map(items(ds.StructureSetROISequence).map((r) => [Number(r.ROINumber), String(r.ROIName ?? '')]));
  const codes = new Map(items(ds.RTROIObservationsSequence).map((o) => [Number(o.ReferencedROINumber),
    codeOf(items(o.RTROIIdentificationCodeSequence)[0])]));
  const referencedImages = new Set<string>();
  let sourceSeriesUid = '';
  for (const frame of items(ds.ReferencedFrameOfReferenceSequence)) {
    for (const study of items(frame.RTReferencedStudySequence)) {
      for (const series of items(study.RTReferencedSeriesSequence)) {
        sourceSeriesUid ||= String(series.SeriesInstanceUID ?? '');
        for (const image of items(series.ContourImageSequence))
          addUid(referencedImages, image.ReferencedSOPInstanceUID);
      }
    }
  }
  if (!sourceSeriesUid) {
    throw new JobError('MEASURE_SOURCE_MISSING',
      'the RT Structure Set names no source series (RT Referenced Series Sequence)');
  }
  const rois = items(ds.ROIContourSequence).map((roi): RoiContours => {
    const number = Number(roi.ReferencedROINumber);
    const closed = items(roi.ContourSequence).filter((c) => c.ContourGeometricType === 'CLOSED_PLANAR');
    for (const c of closed) for (const image of items(c.ContourImageSequence))
      addUid(referencedImages, image.ReferencedSOPInstanceUID);
    const code = codes.get(number);
    return { number, name: names.get(number) || `ROI ${number}`, ...(code ? { code } : {}),
      contours: closed.map((c) => toArray(c.ContourData).map(Number)) };
  });
  return { sopInstanceUid: String(ds.SOPInstanceUID), seriesInstanceUid: String(ds.SeriesInstanceUID), sourceSeriesUid,
    referencedImages, rois };
}

/** The ROI as a 0/1 mask on the slices' grid (cols*rows*slices, index i + cols*(j + rows*k)) and its contours. */
export function placeRoi(roi: RoiContours, slices: SourceSlice[]): PlacedRoi {
  const g = gridOf(slices);
  const mask = new Uint8Array(g.cols * g.rows * slices.length);
  const regions: ContourRegion[] = [];
  for (const contour of roi.contours) {
    if (contour.length < 9) continue; // fewer than three points encloses nothing
    const k = sliceOf(contour, g, roi.name);
    const origin = g.positions[k]!;
    const xs: number[] = [], ys: number[] = [], points: number[] = [];
    for (let p = 0; p + 2 < contour.length; p += 3) {
      const d = [contour[p]! - origin[0]!, contour[p + 1]! - origin[1]!, contour[p + 2]! - origin[2]!];
      xs.push(dot(d, g.row) / g.columnSpacing);
      ys.push(dot(d, g.col) / g.rowSpacing);
      points.push(xs.at(-1)! + 0.5, ys.at(-1)! + 0.5); // pixel centre i is at i + 0.5 in SCOORD coordinates
    }
    // 2D SCOORD has no POLYGON: a region is a POLYLINE whose last point is its first
    if (points[0] !== points.at(-2) || points[1] !== points.at(-1)) points.push(points[0]!, points[1]!);
    fillEvenOdd(mask, k * g.cols * g.rows, g.cols, g.rows, xs, ys);
    regions.push({ slice: k, points });
  }
  return { mask, regions };
}

interface Grid {
  cols: number; rows: number; row: number[]; col: number[]; normal: number[]; positions: number[][];
  rowSpacing: number; columnSpacing: number; sliceSpacing: number;
}

function gridOf(slices: SourceSlice[]): Grid {
  const first = slices[0]!.dataset;
  const iop = (first.ImageOrientationPatient as unknown[]).map(Number);
  const row = iop.slice(0, 3), col = iop.slice(3, 6);
  const normal = [row[1]! * col[2]! - row[2]! * col[1]!, row[2]! * col[0]! - row[0]! * col[2]!,
    row[0]! * col[1]! - row[1]! * col[0]!];
  const [rowSpacing, columnSpacing] = (first.PixelSpacing as unknown[]).map(Number) as [number, number];
  const positions = slices.map((s) => (s.dataset.ImagePositionPatient as unknown[]).map(Number));
  const along = positions.map((p) => dot(p, normal));
  const sliceSpacing = along.length > 1 ? Math.abs(along[1]! - along[0]!) : Number(first.SliceThickness ?? 1);
  return { cols: Number(first.Columns), rows: Number(first.Rows), row, col, normal, positions,
    rowSpacing, columnSpacing, sliceSpacing };
}

/** The slice whose plane holds every point of the contour; refused when there is none. */
function sliceOf(contour: number[], g: Grid, name: string): number {
  const tolerance = PLANE_TOLERANCE * g.sliceSpacing;
  const heights: number[] = [];
  for (let p = 0; p + 2 < contour.length; p += 3)
    heights.push(dot([contour[p]!, contour[p + 1]!, contour[p + 2]!], g.normal));
  const k = g.positions.findIndex((pos) => heights.every((h) => Math.abs(h - dot(pos, g.normal)) <= tolerance));
  if (k < 0) {
    throw new JobError('MEASURE_CONTOUR_OFF_PLANE', `a contour of ROI "${name}" is not on any slice plane of the `
      + `referenced series (within ${tolerance.toFixed(3)} mm): it cannot be rasterised onto that grid`);
  }
  return k;
}

/** Pixel centres inside the polygon toggle (even-odd), so overlapping contours on one slice make holes. */
function fillEvenOdd(mask: Uint8Array, base: number, cols: number, rows: number, xs: number[], ys: number[]): void {
  const n = xs.length;
  for (let j = 0; j < rows; j++) {
    const crossings: number[] = [];
    for (let a = 0, b = n - 1; a < n; b = a++) {
      const [ya, yb] = [ys[a]!, ys[b]!];
      if ((ya > j) !== (yb > j)) crossings.push(xs[a]! + ((j - ya) / (yb - ya)) * (xs[b]! - xs[a]!));
    }
    crossings.sort((p, q) => p - q);
    for (let c = 0; c + 1 < crossings.length; c += 2) {
      const from = Math.max(0, Math.ceil(crossings[c]!)), to = Math.min(cols - 1, Math.ceil(crossings[c + 1]!) - 1);
      for (let i = from; i <= to; i++) mask[base + j * cols + i] ^= 1;
    }
  }
}

function dot(a: number[], b: number[]): number { return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!; }

function codeOf(item: NaturalDataset | undefined): Code | undefined {
  const [scheme, value, meaning] = [item?.CodingSchemeDesignator, item?.CodeValue, item?.CodeMeaning].map(
    (v) => String(v ?? ''));
  return scheme && value && meaning ? { scheme, value, meaning } : undefined;
}

function toArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

function items(value: unknown): NaturalDataset[] {
  return Array.isArray(value) ? (value as NaturalDataset[])
    : value && typeof value === 'object' ? [value as NaturalDataset] : [];
}

function addUid(set: Set<string>, uid: unknown): void {
  if (typeof uid === 'string' && uid !== '') set.add(uid);
}
