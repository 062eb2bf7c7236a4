// Review previews of a result: for each segment the axial slice holding most of its voxels, and one coronal
// reformat through the segments' centre, in a CT window, the segments as tinted fill plus outline in their colours.
// "Axial" and "coronal" assume an axial acquisition: the reformat is the plane of the columns and the slices.
import type { Code } from '../encode/types.js';
import { ReviewError } from './errors.js';
import { encodePng, paint, type Plane, type Rgb } from './raster.js';
import { chooseWindow, greyLevel, type DisplayWindow } from './window.js';
import { countSegments, membershipTable } from './segment-counts.js';

export interface PreviewSegment {
  label: string;
  /** label-map values that belong to this segment (several segments may share a value: overlap) */
  labelValues: number[];
  colorRgb: Rgb;
  /** SegmentedPropertyType: SCT 39607008 (Lung) picks the lung window, as does a label containing "lung" */
  type?: Code;
}

export interface PreviewInput {
  /** HU, or stored values with `rescale`; index i + cols*(j + rows*k), as Volume.data */
  volume: Float32Array | Int16Array | Uint16Array;
  rescale?: { slope: number; intercept: number };
  /** [columns, rows, slices], as Volume.dims */
  dims: [number, number, number];
  /** mm: [column spacing, row spacing, slice spacing], as Volume.spacing */
  spacing: [number, number, number];
  /** label map on the same grid */
  labels: Uint8Array;
  segments: PreviewSegment[];
  window?: DisplayWindow;
  /** default 'CT'; other modalities get a percentile window */
  modality?: string;
  /** Volume.affine: only its slice axis is used, to put the head at the top of the coronal image (default: k up) */
  affine?: number[];
}

export interface Preview {
  /** stable within one result: axial-<n> (n = segment index + 1), axial-middle (only when no segment has a voxel),
   *  coronal */
  name: string;
  title: string;
  png: Uint8Array;
  width: number; height: number;
  /** 0-based slice (axial) or row (coronal) of the volume shown */
  index: number;
}

export function renderPreviews(input: PreviewInput): Preview[] {
  checkInput(input);
  const [cols, rows, slices] = input.dims;
  const table = membershipTable(input.segments.map((s) => s.labelValues));
  const counts = countSegments(input.labels, input.dims, table, input.segments.length);
  const rescale = input.rescale ? rescaleBy(input.rescale) : (v: number) => v;
  const voxels = (s: number) => counts.perSlice[s].reduce((a, b) => a + b, 0);
  const window = input.window
    ?? chooseWindow(input.segments.map((s, n) => ({ ...s, voxels: voxels(n) })), input.modality ?? 'CT',
      input.volume, rescale);
  const shown = `window W ${window.width} L ${window.center}`;
  const ctx: PlaneContext = { input, table, window, rescale };
  const colours = input.segments.map((s) => s.colorRgb);
  const previews: Preview[] = [];
  input.segments.forEach((segment, s) => {
    const k = busiestSlice(counts.perSlice[s]);
    if (k < 0) return;   // absent segment: nothing to show
    const title = `Axial slice ${k + 1} of ${slices}: ${segment.label}, ${counts.perSlice[s][k]} voxels (its largest section); ${shown}`;
    previews.push(finish(`axial-${s + 1}`, title, axialPlane(ctx, k), colours, k));
  });
  if (previews.length === 0) {   // nothing segmented (a lung model on an abdomen): still show what the model saw
    const k = Math.floor(slices / 2);
    previews.push(finish('axial-middle',
      `Axial slice ${k + 1} of ${slices} (no segment voxels: middle slice); ${shown}`, axialPlane(ctx, k), colours, k));
  }
  const j = counts.union > 0 ? Math.round(counts.sumRow / counts.union) : Math.floor(rows / 2);
  const plane = coronalPlane(ctx, j, headUp(input.affine));
  const where = counts.union > 0 ? "through the segments' centre" : 'no segment voxels: middle row';
  const size = `${cols}×${slices} voxels shown ${plane.width}×${plane.height}`;
  const title = `Coronal reformat at row ${j + 1} of ${rows} (${where}), ${size}; ${shown}`;
  previews.push(finish('coronal', title, plane, colours, j));
  return previews;
}

/** The slice with the most voxels of a segment; the lowest such slice on a tie; −1 when it has none. */
export function busiestSlice(perSlice: ArrayLike<number>): number {
  let best = -1;
  for (let k = 0; k < perSlice.length; k++) if (perSlice[k] > 0 && (best < 0 || perSlice[k] > perSlice[best])) best = k;
  return best;
}

interface PlaneContext { input: PreviewInput; table: Uint32Array; window: DisplayWindow;
  rescale: (v: number) => number }

function finish(name: string, title: string, plane: Plane, colours: Rgb[], index: number): Preview {
  const png = encodePng(plane.width, plane.height, paint(plane, colours));
  return { name, title, png, width: plane.width, height: plane.height, index };
}

/** Slice k at square display pixels: rows are resampled when the row spacing differs from the column spacing. */
function axialPlane(ctx: PlaneContext, k: number): Plane {
  const [cols, rows] = ctx.input.dims;
  const height = Math.max(1, Math.round((rows * ctx.input.spacing[1]) / ctx.input.spacing[0]));
  return samplePlane(ctx, cols, height, rows, (x, r) => x + cols * (r + rows * k));
}

/**
 * Row j through every slice: display rows stand for slice positions, so the image is (slices × slice spacing /
 * column spacing) pixels high; the head is at the top. Grey values are interpolated between slices, labels taken
 * from the nearest slice.
 */
function coronalPlane(ctx: PlaneContext, j: number, kUp: boolean): Plane {
  const [cols, rows, slices] = ctx.input.dims;
  const height = Math.max(1, Math.round((slices * ctx.input.spacing[2]) / ctx.input.spacing[0]));
  const slice = (r: number) => (kUp ? slices - 1 - r : r);
  return samplePlane(ctx, cols, height, slices, (x, r) => x + cols * (j + rows * slice(r)));
}

/**
 * Fills a width × height plane from a source plane of `width` columns and `sourceRows` rows, addressed through
 * `at(x, sourceRow)`: display row y covers source row position (y + 0.5) · sourceRows / height − 0.5.
 */
function samplePlane(ctx: PlaneContext, width: number, height: number, sourceRows: number,
  at: (x: number, r: number) => number): Plane {
  const { input, table, window, rescale } = ctx;
  const grey = new Uint8Array(width * height);
  const members = new Uint32Array(width * height);
  for (let y = 0; y < height; y++) {
    const pos = Math.min(Math.max(((y + 0.5) * sourceRows) / height - 0.5, 0), sourceRows - 1);
    const r0 = Math.floor(pos);
    const r1 = Math.min(r0 + 1, sourceRows - 1);
    const t = pos - r0;
    const nearest = t < 0.5 ? r0 : r1;
    for (let x = 0; x < width; x++) {
      const value = rescale(input.volume[at(x, r0)]) * (1 - t) + rescale(input.volume[at(x, r1)]) * t;
      grey[y * width + x] = greyLevel(value, window);
      members[y * width + x] = table[input.labels[at(x, nearest)]];
    }
  }
  return { width, height, grey, members };
}

/** LPS +z is the head: k runs head-ward when the slice axis has a positive z component (or no affine is given). */
function headUp(affine?: number[]): boolean {
  return !(Array.isArray(affine) && affine.length === 16 && affine[10] < 0);
}

function rescaleBy({ slope, intercept }: { slope: number; intercept: number }) {
  return (v: number) => v * slope + intercept;
}

function checkInput(input: PreviewInput): void {
  const bad = (message: string): never => { throw new ReviewError('PREVIEW_INPUT', message); };
  const { dims, spacing, volume, labels, segments } = input;
  const positive = (xs: unknown, integer: boolean) => Array.isArray(xs) && xs.length === 3
    && xs.every((d) => (integer ? Number.isInteger(d) : Number.isFinite(d)) && d > 0);
  const byte = (v: number, lo: number) => Number.isInteger(v) && v >= lo && v <= 255;
  if (!positive(dims, true)) bad(`dims ${String(dims)} are not 3 positive integers`);
  if (!positive(spacing, false)) bad(`spacing ${String(spacing)} is not 3 positive numbers (mm)`);
  const n = dims[0] * dims[1] * dims[2];
  if (volume?.length !== n) bad(`volume has ${volume?.length} values for dims ${dims.join('×')} (${n})`);
  if (labels?.length !== n) bad(`labels have ${labels?.length} values for dims ${dims.join('×')} (${n})`);
  if (!Array.isArray(segments) || segments.length > 32) bad('segments must be a list of at most 32');
  segments.forEach((s, i) => {
    const which = `segment ${i} (${s.label})`;
    if (!Array.isArray(s.labelValues) || !s.labelValues.every((v) => byte(v, 1))) bad(
      `${which}: labelValues must be integers 1..255`);
    if (!Array.isArray(s.colorRgb) || s.colorRgb.length !== 3 || !s.colorRgb.every((c) => byte(c, 0))) {
      bad(`${which}: colorRgb must be 3 integers 0..255`);
    }
  });
  const w = input.window;
  if (w && !(w.width > 0 && Number.isFinite(w.center))) bad('window width must be positive, center finite');
}
