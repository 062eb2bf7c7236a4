// Stored values → modality values (Modality LUT Sequence or rescale) → 0..1 display values (VOI LUT Sequence, the
// header's window, a fixed window, or the image's range), MONOCHROME1 inverted so that dense is always bright.
import type { WindowSpec } from '../manifest.js';

type Dataset = Record<string, unknown>;

/** Modality LUT (PS3.3 C.11.1): a LUT Sequence when the header has one, else RescaleSlope/Intercept (default 1, 0). */
export function modalityValues(stored: ArrayLike<number>, ds: Dataset): Float32Array {
  const out = new Float32Array(stored.length);
  const lut = lutOf(first(ds.ModalityLUTSequence));
  if (lut) {
    for (let p = 0; p < out.length; p++) out[p] = lookUp(lut, stored[p]!);
    return out;
  }
  const slope = numberOr(ds.RescaleSlope, 1) || 1;
  const intercept = numberOr(ds.RescaleIntercept, 0);
  for (let p = 0; p < out.length; p++) out[p] = stored[p]! * slope + intercept;
  return out;
}

/** Stored values → 0..1 as a table: grey(stored) = table[stored − offset]. */
export interface GreyTable { table: Float32Array; offset: number; voi: string }

/**
 * The table of every stored value a frame can hold (BitsStored, PixelRepresentation), with the modality LUT, the VOI
 * and the inversion applied to the table instead of to millions of pixels; the resampler looks pixels up in it. Only
 * without any window does it read the image, for its range. Undefined for 32-bit data (no table that size).
 */
export function greyTable(stored: ArrayLike<number>, ds: Dataset, spec: WindowSpec,
  monochrome1: boolean): GreyTable | undefined {
  const bits = numberOr(ds.BitsStored, 16);
  if (!(bits > 0 && bits <= 16)) return undefined;
  const signed = numberOr(ds.PixelRepresentation, 0) === 1;
  let lo = signed ? -(2 ** (bits - 1)) : 0;
  let hi = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const hasWindow =
    spec.source === 'fixed' || lutOf(first(ds.VOILUTSequence)) !== undefined || headerWindow(ds) !== undefined;
  if (!hasWindow) { // the image's own range: the table spans exactly the values present
    lo = Infinity; hi = -Infinity;
    for (let p = 0; p < stored.length; p++) { const v = stored[p]!; if (v < lo) lo = v; if (v > hi) hi = v; }
  }
  const table = modalityValues(new Int32Array(hi - lo + 1).map((_, i) => lo + i), ds);
  return { table, offset: lo, voi: applyVoi(table, ds, spec, monochrome1) };
}

/** In place: modality values → 0..1. Returns what was applied, in words, for the result's record. */
export function applyVoi(values: Float32Array, ds: Dataset, spec: WindowSpec, monochrome1: boolean): string {
  let applied: string;
  const voiLut = spec.source === 'header' ? lutOf(first(ds.VOILUTSequence)) : undefined;
  if (voiLut) {
    const top = 2 ** voiLut.bits - 1;
    for (let p = 0; p < values.length; p++) values[p] = lookUp(voiLut, values[p]!) / top;
    applied = 'VOI LUT Sequence';
  } else {
    const header = spec.source === 'header' ? headerWindow(ds) : undefined;
    const window = spec.source === 'fixed' ? { center: spec.center, width: spec.width, fn: 'LINEAR' }
      : header ?? rangeWindow(values);
    applyWindow(values, window.center, window.width, window.fn);
    applied = spec.source === 'fixed' ? `window ${window.center}/${window.width} (fixed)`
      : header ? `window ${window.center}/${window.width} (header${window.fn === 'LINEAR' ? '' : `, ${window.fn}`})`
      : 'image range';
  }
  if (monochrome1) for (let p = 0; p < values.length; p++) values[p] = 1 - values[p]!;
  return applied;
}

/** PS3.3 C.11.2.1.2: LINEAR (the default), LINEAR_EXACT and SIGMOID, onto 0..1. */
export function applyWindow(values: Float32Array, center: number, width: number, fn = 'LINEAR'): void {
  if (fn === 'SIGMOID') {
    for (let p = 0; p < values.length; p++) values[p] = 1 / (1 + Math.exp((-4 * (values[p]! - center)) / width));
    return;
  }
  const exact = fn === 'LINEAR_EXACT';
  const c = exact ? center : center - 0.5;
  const w = exact ? width : Math.max(width - 1, 1e-6);
  for (let p = 0; p < values.length; p++) values[p] = Math.min(1, Math.max(0, (values[p]! - c) / w + 0.5));
}

function headerWindow(ds: Dataset): { center: number; width: number; fn: string } | undefined {
  const center = Number(first(ds.WindowCenter));
  const width = Number(first(ds.WindowWidth));
  if (!Number.isFinite(center) || !(width > 0)) return undefined;
  return { center, width, fn: String(ds.VOILUTFunction ?? 'LINEAR').trim() || 'LINEAR' };
}

/** No window anywhere: the image's own range, as a viewer would show it. */
function rangeWindow(values: Float32Array): { center: number; width: number; fn: string } {
  let min = Infinity, max = -Infinity;
  for (let p = 0; p < values.length; p++) { const v = values[p]!; if (v < min) min = v; if (v > max) max = v; }
  const width = Math.max(max - min, 1e-6);
  return { center: min + width / 2, width, fn: 'LINEAR_EXACT' };
}

interface Lut { entries: number; firstMapped: number; bits: number; data: ArrayLike<number> }

/** LUT Descriptor [entries (0 = 65536), first mapped value, bits per entry] and its LUT Data (US values or OW). */
function lutOf(item: unknown): Lut | undefined {
  if (!item || typeof item !== 'object') return undefined;
  const it = item as Dataset;
  const d = Array.isArray(it.LUTDescriptor) ? it.LUTDescriptor.map(Number) : [];
  if (d.length !== 3) return undefined;
  const raw = Array.isArray(it.LUTData) && it.LUTData[0] instanceof ArrayBuffer ? it.LUTData[0] : it.LUTData;
  const data = raw instanceof ArrayBuffer ? new Uint16Array(raw) : Array.isArray(raw) ? raw.map(Number) : undefined;
  const entries = d[0] === 0 ? 65536 : d[0]!;
  if (!data || data.length < entries) return undefined;
  return { entries, firstMapped: d[1]!, bits: d[2]! > 0 ? d[2]! : 16, data };
}

function lookUp(lut: Lut, x: number): number {
  const index = Math.min(lut.entries - 1, Math.max(0, Math.round(x) - lut.firstMapped));
  return lut.data[index]!;
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function numberOr(v: unknown, fallback: number): number {
  const n = Number(first(v));
  return v === undefined || v === null || v === '' || !Number.isFinite(n) ? fallback : n;
}
