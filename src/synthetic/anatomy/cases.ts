// The phantom set: each case reproduces something real scans do to a body/lung segmentation, with ground truth.
import { headTissue } from './head.js';
import { renderPhantom, type Anatomy, type AnatomicalPhantom, type ScanGrid } from './render.js';
import { supportTissue, type SupportOptions } from './support.js';
import { bodyOutline, torsoTissue, type TorsoOptions } from './torso.js';
import { Tissue } from './tissue.js';

export interface PhantomCase {
  name: string;
  description: string;
  /** true when the scanned range holds aerated lung */
  hasLung: boolean;
  anatomy: Anatomy;
  grid: ScanGrid;
  /** z (mm) of the slice that shows the case best (rendered by the benchmark); default the one with most lung */
  keySliceZ?: number;
}

const TABLE: SupportOptions = { tableTop: 128, cushionMm: 15 };

function patient(torso: TorsoOptions, support: SupportOptions): Anatomy {
  return (x, y, z) => {
    const t = torsoTissue(x, y, z, torso);
    if (t !== Tissue.Air) return t;
    const o = bodyOutline(z);
    return supportTissue(x, y, z, { ...support, blanket: support.blanket && { cy: o.cy, ax: o.ax, by: o.by } });
  };
}

/** A full-FOV axial scan of 400 mm, 512² (0.78 mm), 5 mm slices from `firstZ`. */
function scan(firstZ: number, slices: number, more: Partial<ScanGrid> = {}): ScanGrid {
  return { fovMm: 400, centreX: 0, centreY: 10, matrix: 512, firstZ, sliceMm: 5, slices, ...more };
}

export const PHANTOM_CASES: PhantomCase[] = [
  {
    name: 'chest-table-cushion', hasLung: true,
    description: 'whole chest on a curved carbon table with a 40 mm foam cushion and a blanket touching the skin',
    anatomy: patient({}, { tableTop: 150, cushionMm: 40, blanket: { cy: 0, ax: 0, by: 0 } }), grid: scan(-30, 48),
  },
  {
    name: 'chest-cropped-fov', hasLung: true,
    description: 'small 160 mm FOV on the right lung: the image edge cuts patient and lung on all sides, padding −3024',
    anatomy: patient({}, TABLE),
    grid: scan(40, 32, { fovMm: 160, centreX: -78, centreY: 0, matrix: 512, paddingHu: -3024 }),
  },
  {
    name: 'chest-cropped-sides', hasLung: true,
    description: '250 mm FOV: both lungs touch the left and right image edges; padding −2000 outside the circle',
    anatomy: patient({}, TABLE), grid: scan(40, 32, { fovMm: 250, centreY: 0, paddingHu: -2000 }),
  },
  {
    name: 'lung-bases', hasLung: true,
    description: 'upper abdomen with only the lung bases: liver dome, stomach bubble, colon gas',
    anatomy: patient({}, TABLE), grid: scan(-70, 20), keySliceZ: -25,
  },
  {
    name: 'lung-apices', hasLung: true, description: 'lower neck and the lung apices with the trachea',
    anatomy: patient({}, TABLE), grid: scan(190, 16),
  },
  {
    name: 'abdomen-no-lung', hasLung: false,
    description: 'abdomen below the diaphragm: gas-filled bowel loops and a stomach bubble, no lung',
    anatomy: patient({}, TABLE), grid: scan(-240, 36), keySliceZ: -90,
  },
  {
    name: 'head', hasLung: false, description: 'head CT in a head holder with a foam pad: sinuses and mastoid air',
    anatomy: headTissue, keySliceZ: -45,
    grid: { fovMm: 250, centreX: 0, centreY: 0, matrix: 512, firstZ: -70, sliceMm: 5, slices: 32 },
  },
  {
    name: 'chest-pathology', hasLung: true,
    description: '35 mm tumour (right upper), consolidation (left lower), right pleural effusion: none of them aerated',
    anatomy: patient({ pathology: true }, TABLE), grid: scan(-30, 48), keySliceZ: 55,
  },
  {
    name: 'chest-emphysema', hasLung: true, description: 'upper-lobe emphysema (−950…−1000 HU) and bullae',
    anatomy: patient({ emphysema: true }, TABLE), grid: scan(-30, 48), keySliceZ: 150,
  },
];

/** Renders a case; `matrix` scales the grid (same field of view) so tests can run on a coarse one. */
export function renderCase(c: PhantomCase, opts: { matrix?: number; seed?: number } = {}): AnatomicalPhantom {
  return renderPhantom(c.name, c.description, c.anatomy, { ...c.grid, matrix: opts.matrix ?? c.grid.matrix },
    opts.seed);
}
