// Where a source image lands in the model's input and back: letterbox (aspect kept, centred, padded) or stretch.
// Coordinates are continuous pixels with the SCOORD convention (0,0 = top-left corner of the top-left pixel).

export interface Point { x: number; y: number }

/** Which spacing applies to the source pixels, and where it came from (PS3.3 10.7.1.3). */
export interface PixelSpacingFact {
  /** mm between rows and between columns; null when the header gives none */
  rowMm: number | null; columnMm: number | null;
  source: 'PixelSpacing' | 'ImagerPixelSpacing' | 'ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor'
    | 'none';
}

/** Everything needed to map points between model input and source pixels; plain data, so it crosses threads. */
export interface TransformParams {
  sourceRows: number; sourceColumns: number; modelRows: number; modelColumns: number;
  resize: 'letterbox' | 'stretch';
  /** model pixels per source pixel along x and y, and where the source's top-left corner lands in the model */
  scaleX: number; scaleY: number; offsetX: number; offsetY: number;
  spacing: PixelSpacingFact;
  /** how grey values were made 0..1: "VOI LUT Sequence", "window 2048/4096 (header)", "window 40/400 (fixed)",
   *  "image range" */
  voi: string;
  /** MONOCHROME1 input was inverted so that dense is bright */
  inverted: boolean;
}

export function planTransform(
  source: { rows: number; columns: number }, model: { rows: number; columns: number }, resize: 'letterbox' | 'stretch',
): Pick<TransformParams, 'sourceRows' | 'sourceColumns' | 'modelRows' | 'modelColumns' | 'resize' | 'scaleX' | 'scaleY'
  | 'offsetX' | 'offsetY'> {
  const sx = model.columns / source.columns;
  const sy = model.rows / source.rows;
  const base = { sourceRows: source.rows, sourceColumns: source.columns, modelRows: model.rows,
    modelColumns: model.columns, resize };
  if (resize === 'stretch') return { ...base, scaleX: sx, scaleY: sy, offsetX: 0, offsetY: 0 };
  const s = Math.min(sx, sy);
  return { ...base, scaleX: s, scaleY: s, offsetX: (model.columns - source.columns * s) / 2,
    offsetY: (model.rows - source.rows * s) / 2 };
}

/** The model-space ↔ source-space mapping of one prepared image. */
export class ImageTransform {
  constructor(readonly params: TransformParams) {}

  /** A model-input point (e.g. a box corner the network gave) in source pixels, letterbox and resize undone. */
  toSourcePoint(p: Point): Point {
    const t = this.params;
    return { x: (p.x - t.offsetX) / t.scaleX, y: (p.y - t.offsetY) / t.scaleY };
  }

  toModelPoint(p: Point): Point {
    const t = this.params;
    return { x: p.x * t.scaleX + t.offsetX, y: p.y * t.scaleY + t.offsetY };
  }

  /** A source point clamped into the image (a box edge the model put in the padding). */
  clampToSource(p: Point): Point {
    const t = this.params;
    return { x: Math.min(t.sourceColumns, Math.max(0, p.x)), y: Math.min(t.sourceRows, Math.max(0, p.y)) };
  }
}

/** Pixel Spacing when the header has it (calibrated, or the plane of a cross-section); else Imager Pixel Spacing,
 *  at the patient when an Estimated Radiographic Magnification Factor is given, else at the detector. */
export function pixelSpacingOf(ds: Record<string, unknown>): PixelSpacingFact {
  const pair = (v: unknown): [number, number] | undefined => {
    const list = Array.isArray(v) ? v.map(Number) : typeof v === 'string' ? v.split('\\').map(Number) : [];
    return list.length === 2 && list.every((n) => Number.isFinite(n) && n > 0) ? [list[0]!, list[1]!] : undefined;
  };
  const pixel = pair(ds.PixelSpacing);
  if (pixel) return { rowMm: pixel[0], columnMm: pixel[1], source: 'PixelSpacing' };
  const imager = pair(ds.ImagerPixelSpacing);
  if (!imager) return { rowMm: null, columnMm: null, source: 'none' };
  const magnification = Number(ds.EstimatedRadiographicMagnificationFactor);
  if (Number.isFinite(magnification) && magnification > 0) {
    return { rowMm: imager[0] / magnification, columnMm: imager[1] / magnification,
      source: 'ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor' };
  }
  return { rowMm: imager[0], columnMm: imager[1], source: 'ImagerPixelSpacing' };
}
