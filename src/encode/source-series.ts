// Parses the source slices' headers once into the typed geometry and identity the SEG and SR need.
import { EncodeError } from './errors.js';
import type { SourceSlice } from './types.js';

type Vec3 = [number, number, number];
type DsValue = number | string;

export interface SourceSeries {
  rows: number; columns: number;
  seriesInstanceUid: string; studyInstanceUid: string; frameOfReferenceUid: string; modality: string;
  /** values as the source wrote them (kept exact for PlanePosition/Orientation) */
  orientation: DsValue[]; pixelSpacing: [DsValue, DsValue]; positions: DsValue[][];
  sliceThickness?: DsValue;
  /** distance between adjacent slice planes along the normal, mm; undefined for a single slice */
  sliceSpacingMm?: number;
  /** true when all adjacent slices are equally spaced (within 1%): only then SpacingBetweenSlices is written */
  evenlySpaced: boolean;
  voxelVolumeMm3: number;
  lossy: boolean;
  first: Record<string, unknown>;
}

/** Reads and cross-checks every slice's header; throws EncodeError for anything a SEG cannot be built from. */
export function parseSourceSeries(sources: SourceSlice[]): SourceSeries {
  if (!Array.isArray(sources) || sources.length === 0) throw new EncodeError('ENC_NO_SOURCES',
    'no source slices given');
  const first = sources[0].dataset;
  const rows = positiveInt(first, 'Rows', 0);
  const columns = positiveInt(first, 'Columns', 0);
  const orientation = dsArray(first, 'ImageOrientationPatient', 6, 0);
  const pixelSpacing = dsArray(first, 'PixelSpacing', 2, 0) as [DsValue, DsValue];
  const ids = {
    seriesInstanceUid: uid(first, 'SeriesInstanceUID', 0), studyInstanceUid: uid(first, 'StudyInstanceUID', 0),
    frameOfReferenceUid: uid(first, 'FrameOfReferenceUID', 0),
  };
  const shared: Array<[string, string]> = [
    ['SeriesInstanceUID', ids.seriesInstanceUid], ['StudyInstanceUID', ids.studyInstanceUid],
    ['FrameOfReferenceUID', ids.frameOfReferenceUid],
  ];
  const positions = sources.map((s, k) => {
    if (!s.sopInstanceUid || !s.sopClassUid) throw new EncodeError('ENC_SOURCE_HEADER',
      `source slice ${k} lacks its SOP Class/Instance UID`);
    const d = s.dataset;
    for (const [keyword, value] of shared) {
      if (uid(d, keyword, k) !== value) throw new EncodeError('ENC_SOURCES_MIXED',
        `source slice ${k} has a different ${keyword}`);
    }
    if (positiveInt(d, 'Rows', k) !== rows || positiveInt(d, 'Columns', k) !== columns) {
      throw new EncodeError('ENC_SOURCES_MIXED', `source slice ${k} has a different matrix size`);
    }
    if (!sameNumbers(dsArray(d, 'ImageOrientationPatient', 6, k), orientation, 1e-4)) {
      throw new EncodeError('ENC_SOURCES_MIXED', `source slice ${k} has a different ImageOrientationPatient`);
    }
    return dsArray(d, 'ImagePositionPatient', 3, k);
  });
  const spacing = sliceSpacing(orientation.map(Number), positions.map((p) => p.map(Number) as Vec3));
  const thickness = first.SliceThickness as DsValue | undefined;
  const thicknessMm = thickness === undefined || thickness === '' ? undefined : Number(thickness);
  const depth = spacing.mm ?? thicknessMm;
  if (depth === undefined || !(depth > 0)) {
    throw new EncodeError('ENC_SOURCE_HEADER',
      'a single source slice needs a positive SliceThickness to give voxels a volume');
  }
  return {
    rows, columns, ...ids, modality: String(first.Modality ?? ''),
    orientation, pixelSpacing, positions,
    sliceThickness: thicknessMm !== undefined && thicknessMm > 0 ? thickness : undefined,
    sliceSpacingMm: spacing.mm, evenlySpaced: spacing.even,
    voxelVolumeMm3: Number(pixelSpacing[0]) * Number(pixelSpacing[1]) * depth,
    lossy: sources.some((s) => String(s.dataset.LossyImageCompression ?? '').trim() === '01'),
    first,
  };
}

/** Median distance between adjacent planes along the slice normal (robust to a missing slice). */
function sliceSpacing(iop: number[], positions: Vec3[]): { mm?: number; even: boolean } {
  if (positions.length < 2) return { even: false };
  const n = cross([iop[0], iop[1], iop[2]], [iop[3], iop[4], iop[5]]);
  const gaps: number[] = [];
  for (let k = 1; k < positions.length; k++) {
    gaps.push(Math.abs(dot(n, positions[k]) - dot(n, positions[k - 1])));
  }
  const sorted = [...gaps].sort((a, b) => a - b);
  const mm = sorted[Math.floor(sorted.length / 2)];
  if (!(mm > 0)) throw new EncodeError('ENC_SOURCE_HEADER',
    'source slices share one position: cannot derive slice spacing');
  return { mm, even: gaps.every((g) => Math.abs(g - mm) <= mm * 0.01) };
}

function positiveInt(d: Record<string, unknown>, keyword: string, k: number): number {
  const v = Number(scalar(d[keyword]));
  if (!Number.isInteger(v) || v <= 0) throw new EncodeError('ENC_SOURCE_HEADER',
    `source slice ${k}: ${keyword} missing or not a positive integer`);
  return v;
}

function uid(d: Record<string, unknown>, keyword: string, k: number): string {
  const v = scalar(d[keyword]);
  if (typeof v !== 'string' || v.trim() === '') throw new EncodeError('ENC_SOURCE_HEADER',
    `source slice ${k}: ${keyword} missing`);
  return v.trim();
}

function dsArray(d: Record<string, unknown>, keyword: string, n: number, k: number): DsValue[] {
  const raw = d[keyword];
  const values = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split('\\') : []) as unknown[];
  if (values.length !== n || values.some((v) => !Number.isFinite(Number(v)) || v === '' || v === null)) {
    throw new EncodeError('ENC_SOURCE_HEADER', `source slice ${k}: ${keyword} missing or not ${n} numbers`);
  }
  return values.map((v) => (typeof v === 'string' ? v.trim() : Number(v)));
}

function scalar(v: unknown): unknown { return Array.isArray(v) ? v[0] : v; }
function sameNumbers(a: DsValue[], b: DsValue[],
  tol: number): boolean { return a.every((v, i) => Math.abs(Number(v) - Number(b[i])) <= tol); }
function dot(a: number[], b: number[]): number { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function cross(a: Vec3,
  b: Vec3): Vec3 { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }
