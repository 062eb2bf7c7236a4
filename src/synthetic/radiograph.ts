// Synthetic chest radiographs with ground truth: a frontal or lateral chest-like density pattern (lungs, mediastinum,
// heart, spine) and bright compact metal objects at known boxes, as density 0..1 (bright = dense, MONOCHROME2 sense).

export type RadiographView = 'frontal' | 'lateral';

/** A box in source pixels with the SCOORD convention: x0,y0 the top-left corner of its first pixel, x1,y1 the
 *  bottom-right corner of its last pixel (so a box of one pixel at column 3 is x0 3, x1 4). */
export interface PixelBox { x0: number; y0: number; x1: number; y1: number }

export interface RadiographPatternOptions {
  rows?: number;
  columns?: number;
  view?: RadiographView;
  /** metal objects (density 1), each a filled rectangle covering whole pixels */
  objects?: PixelBox[];
  /** ± density noise (default 0.02), from a fixed seed so the image is reproducible */
  noise?: number;
  seed?: number;
}

export interface RadiographPattern { rows: number; columns: number; view: RadiographView; density: Float32Array;
  objects: PixelBox[] }

/** Densities of the pattern's parts; the classifier's margin (frontal vs lateral) rests on lung vs mediastinum. */
export const RADIOGRAPH_DENSITY = { air: 0.04, softTissue: 0.45, lung: 0.18, mediastinum: 0.64, heart: 0.56, spine: 0.7,
  metal: 1 } as const;

interface Ellipse { cx: number; cy: number; rx: number; ry: number }
const inEllipse = (e: Ellipse, x: number, y: number) => ((x - e.cx) / e.rx) ** 2 + ((y - e.cy) / e.ry) ** 2 <= 1;

/** Every coordinate below is a fraction of the image width (x) or height (y). */
export function renderRadiographPattern(opts: RadiographPatternOptions = {}): RadiographPattern {
  const rows = opts.rows ?? 512;
  const columns = opts.columns ?? 512;
  const view = opts.view ?? 'frontal';
  const objects = opts.objects ?? [];
  for (const b of objects) {
    if (!(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= columns && b.y1 <= rows && b.x0 < b.x1 && b.y0 < b.y1)) {
      throw new RangeError(`object box ${JSON.stringify(b)} is not inside the ${columns}×${rows} image`);
    }
  }
  const density = new Float32Array(rows * columns);
  const random = mulberry32(opts.seed ?? 7);
  const noise = opts.noise ?? 0.02;
  const parts = view === 'frontal' ? frontal : lateral;
  for (let j = 0; j < rows; j++) {
    const y = (j + 0.5) / rows;
    for (let i = 0; i < columns; i++) {
      const x = (i + 0.5) / columns;
      density[j * columns + i] = Math.min(1, Math.max(0, parts(x, y) + (random() * 2 - 1) * noise));
    }
  }
  for (const b of objects) {
    for (let j = b.y0; j < b.y1; j++) density.fill(RADIOGRAPH_DENSITY.metal, j * columns + b.x0, j * columns + b.x1);
  }
  return { rows, columns, view, density, objects };
}

const D = RADIOGRAPH_DENSITY;
const BODY: Ellipse = { cx: 0.5, cy: 0.55, rx: 0.44, ry: 0.52 };

/** PA chest: two lung fields either side of a bright mediastinum and spine, the heart to the patient's left. */
function frontal(x: number, y: number): number {
  if (!inEllipse(BODY, x, y)) return D.air;
  if (Math.abs(x - 0.5) < 0.05 && y > 0.12) return Math.abs(x - 0.5) < 0.025 ? D.spine : D.mediastinum;
  if (inEllipse({ cx: 0.56, cy: 0.64, rx: 0.13, ry: 0.1 }, x, y)) return D.heart;
  const lung = inEllipse({ cx: 0.33, cy: 0.42, rx: 0.12, ry: 0.25 }, x, y)
    || inEllipse({ cx: 0.67, cy: 0.42, rx: 0.12, ry: 0.25 }, x, y);
  return lung ? D.lung + ribs(y) : D.softTissue;
}

/** Lateral chest: one lung field in the middle, the spine posterior (right of the image), heart anterior-inferior. */
function lateral(x: number, y: number): number {
  if (!inEllipse(BODY, x, y)) return D.air;
  if (x > 0.76 && x < 0.84 && y > 0.08) return D.spine;
  if (x > 0.14 && x < 0.17 && y > 0.2 && y < 0.7) return D.heart; // sternum
  if (inEllipse({ cx: 0.36, cy: 0.62, rx: 0.13, ry: 0.12 }, x, y)) return D.heart;
  return inEllipse({ cx: 0.49, cy: 0.42, rx: 0.25, ry: 0.27 }, x, y) ? D.lung + ribs(y) : D.softTissue;
}

/** Faint horizontal rib shadows over the lungs, so the lung fields are not flat. */
function ribs(y: number): number {
  return Math.sin((y * 2 * Math.PI) / 0.07) > 0.7 ? 0.06 : 0;
}

/** A small deterministic PRNG (mulberry32): the same seed gives the same image on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
