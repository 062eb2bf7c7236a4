// Test support: the IBSI 1 digital phantom (NIfTI image and mask, read with nifti-reader-js) and its consensus
// reference values (CSV), from shared/testdata/ibsi.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as nifti from 'nifti-reader-js';
import { repoRoot } from '../../support/node-process.js';
import type { FeatureInput, TextureAggregation } from '../../../src/features/index.js';

export const IBSI_DIR = path.join(repoRoot, '..', 'shared', 'testdata', 'ibsi');

interface NiftiVolume { data: Float32Array; dims: [number, number, number]; spacing: [number, number, number] }

/** A NIfTI volume as a Float32Array in file order (x fastest), dims and spacing as [z, y, x]. */
export function readNifti(file: string): NiftiVolume {
  const bytes = readFileSync(path.join(IBSI_DIR, file));
  let buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (nifti.isCompressed(buffer)) buffer = nifti.decompress(buffer) as ArrayBuffer;
  const header = nifti.readHeader(buffer);
  if (!header) throw new Error(`${file} is not NIfTI`);
  const raw = nifti.readImage(header, buffer);
  const typed = header.datatypeCode === nifti.NIFTI1.TYPE_INT16 ? new Int16Array(raw)
    : header.datatypeCode === nifti.NIFTI1.TYPE_UINT8 ? new Uint8Array(raw)
    : header.datatypeCode === nifti.NIFTI1.TYPE_FLOAT32 ? new Float32Array(raw) : undefined;
  if (!typed) throw new Error(`${file}: NIfTI datatype ${header.datatypeCode} not handled by this helper`);
  const slope = header.scl_slope || 1, intercept = header.scl_inter || 0;
  const data = Float32Array.from(typed, (v) => v * slope + intercept);
  const [, x, y, z] = header.dims;
  const [, sx, sy, sz] = header.pixDims;
  return { data, dims: [z!, y!, x!], spacing: [sz!, sy!, sx!] };
}

/** The phantom as the feature stage takes it: no resampling or re-segmentation, so both masks are the ROI. */
export function loadPhantom(): FeatureInput {
  const image = readNifti('digital-phantom-image.nii.gz');
  const mask = readNifti('digital-phantom-mask.nii.gz');
  const roi = Uint8Array.from(mask.data, (v) => (v > 0.5 ? 1 : 0));
  return { image: image.data, morphMask: roi, intensityMask: roi, dims: image.dims, spacing: image.spacing };
}

export interface ReferenceRow { feature: string; code: string; aggregation: string; value?: number; tolerance?: number }

/** Rows of digital-phantom-reference-values.csv
 *  (header: feature,ibsi_code,data,aggregation,value,tolerance,consensus). */
export function readReference(): ReferenceRow[] {
  const text = readFileSync(path.join(IBSI_DIR, 'digital-phantom-reference-values.csv'), 'utf8');
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const columns = splitCsv(header!);
  return lines.map((line) => {
    const cell = Object.fromEntries(splitCsv(line).map((c, k) => [columns[k], c]));
    const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
    return { feature: cell.feature!, code: cell.ibsi_code!, aggregation: cell.aggregation!, value: num(cell.value),
      tolerance: num(cell.tolerance) };
  });
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '', quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) { out.push(cur); cur = ''; }
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/**
 * Identifiers the CSV gets wrong, checked against the IBSI manual (and DICOM CID 7478, which lists the same codes):
 * the 10th / 90th discretised intensity percentiles are GPMT / OZ0C, and small zone emphasis is 5QRC.
 */
const CODE_CORRECTIONS: Record<string, string> = {
  '10\\ :sup:`th` discretised intensity percentile': 'GPMT',
  '90\\ :sup:`th` discretised intensity percentile': 'OZ0C',
  'Small zone emphasis': '5QRC',
};

/**
 * The CSV lists the parameterised intensity-volume features without their parameter; in the manual's order the first
 * BC2M / GBPN row is at 10 %, the second at 90 % (and the differences are 10 % − 90 %).
 */
function withQualifiers(rows: ReferenceRow[]): (ReferenceRow & { qualifier?: string })[] {
  const seen = new Map<string, number>();
  return rows.map((r) => {
    if (r.code === 'DDTU' || r.code === 'CNV2') return { ...r, qualifier: '10 % − 90 %' };
    if (r.code !== 'BC2M' && r.code !== 'GBPN') return r;
    const k = seen.get(r.code) ?? 0;
    seen.set(r.code, k + 1);
    return { ...r, qualifier: k === 0 ? '10 %' : '90 %' };
  });
}

/** The manual gives values to 3 significant digits; with no tolerance stated, a value must agree to that rounding. */
export function toleranceOf(row: ReferenceRow): number {
  if (row.tolerance !== undefined) return row.tolerance;
  if (row.value === 0) return 1e-9;
  return 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(row.value!))) - 2) + 1e-12;
}

/** Every aggregation in the CSV is computed here (GLCM and GLRLM: six; zone and neighbourhood matrices: three). */
export const AGGREGATIONS: TextureAggregation[] = ['3D, averaged', '3D, merged', '2D, averaged', '2D, slice-merged',
  '2.5D, direction-merged', '2.5D, merged', '3D', '2D', '2.5D'];
const IMPLEMENTED_AGGREGATIONS: string[] = ['', ...AGGREGATIONS];
export const implemented = (row: ReferenceRow) => IMPLEMENTED_AGGREGATIONS.includes(row.aggregation);
export const rows = withQualifiers(readReference().map((r) => ({ ...r, code: CODE_CORRECTIONS[r.feature] ?? r.code })));
export const compared = rows.filter((r) => implemented(r) && r.value !== undefined);
