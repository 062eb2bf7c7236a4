// The adult trunk from pelvis to neck: body wall, spine, ribs, lungs with vessels and airways, heart, abdomen with gas.
import { ellipse, ellipsoid, segmentDistance, type Point } from './shapes.js';
import { Tissue } from './tissue.js';

export interface TorsoOptions {
  /** a 35 mm tumour in the right upper lung, consolidation in the left lower lung, effusion at the right base */
  pathology?: boolean;
  /** regions of −950…−1000 HU (destroyed parenchyma) and bullae in both upper lungs */
  emphysema?: boolean;
}

/** Body outline: an elliptic cylinder, narrowing to the neck above the shoulders. */
export function bodyOutline(z: number): { cx: number; cy: number; ax: number; by: number } {
  if (z > 250) return { cx: 0, cy: -10, ax: 62, by: 58 };
  return { cx: 0, cy: 0, ax: 165, by: 110 };
}

const LUNG_CENTRES: Point[] = [[-78, 5, 100], [78, 5, 100]]; // right (−x), left (+x)
const HILA: Point[] = [[-38, 0, 112], [38, 0, 108]];
const CARINA: Point = [0, -15, 140];
const VESSEL_ENDS: Point[] = [
  [-110, -40, 180], [-120, 30, 150], [-95, 60, 60], [-115, -20, 40], [-70, -60, 120], [-90, 70, 120],
  [110, -40, 180], [120, 30, 150], [95, 60, 60], [115, -20, 40], [70, -60, 120], [90, 70, 120],
];
const BOWEL_GAS: Array<[Point, Point]> = [
  [[-60, -50, -90], [16, 12, 14]], [[30, -60, -110], [14, 10, 12]], [[80, -30, -80], [18, 14, 16]],
  [[-20, -70, -150], [12, 9, 12]], [[60, -55, -170], [15, 11, 14]], [[-80, -30, -190], [17, 13, 15]],
  [[10, -40, -210], [13, 10, 12]], [[-40, -65, -230], [11, 9, 10]], [[95, 0, -130], [12, 12, 18]],
  [[-100, 10, -120], [13, 12, 18]], [[85, -10, -45], [14, 12, 12]], // splenic flexure, just under the left dome
];

/** The tissue at a point inside or outside the trunk (outside: Air; the support is drawn by support.ts). */
export function torsoTissue(x: number, y: number, z: number, opts: TorsoOptions): Tissue {
  const o = bodyOutline(z);
  const r = ellipse(x, y, o.cx, o.cy, o.ax, o.by);
  if (r > 1) return Tissue.Air;
  if (r > 1 - 10 / o.by) return Tissue.Fat;
  if (Math.hypot(x, y - 75) < 18 && z < 260) return Tissue.Bone; // vertebral bodies
  if (z > 250) return neckTissue(x, y);
  if (isRib(x, y, z, r)) return Tissue.Bone;
  const thorax = thoraxTissue(x, y, z, opts);
  if (thorax !== undefined) return thorax;
  return abdomenTissue(x, y, z);
}

function isRib(x: number, y: number, z: number, r: number): boolean {
  if (z < -40 || r < 0.84 || r > 0.9) return false;
  const angle = Math.atan2(y, x);
  return Math.sin(angle * 11 + z / 9) > 0.55 && Math.sin(z / 9) > -0.2;
}

function neckTissue(x: number, y: number): Tissue {
  if (Math.hypot(x, y + 25) < 8) return Tissue.Airway;
  return Tissue.Soft;
}

/** Lungs, airways and mediastinum; undefined below the diaphragm. */
function thoraxTissue(x: number, y: number, z: number, opts: TorsoOptions): Tissue | undefined {
  const inAirway = airway(x, y, z);
  if (inAirway) return Tissue.Airway;
  if (ellipsoid(x, y, z, [18, -28, 80], [62, 50, 55]) < 1) return Tissue.Soft; // heart
  if (Math.hypot(x - 22, y - 42) < 13 && z < 150) return Tissue.Soft; // descending aorta
  for (let side = 0; side < 2; side++) {
    if (!inLung(x, y, z, side)) continue;
    return lungTissue(x, y, z, side, opts);
  }
  if (z > domeZ(x, y, x < 0 ? 0 : 1) + 6) return Tissue.Soft; // mediastinum, chest wall
  return undefined;
}

function airway(x: number, y: number, z: number): boolean {
  if (z >= CARINA[2] && Math.hypot(x, y - CARINA[1]) < 9) return true; // trachea
  return HILA.some((h) => segmentDistance([x, y, z], CARINA, h) < 6.5); // main bronchi
}

/** Lung shape: an ellipse in-plane, tapering to the apex and sitting on the diaphragm dome. */
function inLung(x: number, y: number, z: number, side: number): boolean {
  const c = LUNG_CENTRES[side];
  const scale = z > c[2] ? Math.sqrt(Math.max(0, 1 - ((z - c[2]) / 140) ** 2)) : 1;
  if (scale <= 0 || ellipse(x, y, c[0], c[1], 55 * scale, 85 * scale) > 1) return false;
  return z > domeZ(x, y, side) + 6; // 6 mm of diaphragm on the dome
}

/** Height of the diaphragm dome (the right one higher, over the liver): lowest at the back and sides. */
export function domeZ(x: number, y: number, side: number): number {
  const c = LUNG_CENTRES[side];
  const d2 = (x - c[0]) ** 2 + (y - c[1] + 10) ** 2;
  return (side === 0 ? 20 : 10) - d2 / 180;
}

function lungTissue(x: number, y: number, z: number, side: number, opts: TorsoOptions): Tissue {
  const p: Point = [x, y, z];
  const vesselRadius = (d: number) => 3.5 - 2 * d;
  for (let v = side * 6; v < side * 6 + 6; v++) {
    const end = VESSEL_ENDS[v];
    const len = Math.hypot(end[0] - HILA[side][0], end[1] - HILA[side][1], end[2] - HILA[side][2]);
    const along = Math.hypot(x - HILA[side][0], y - HILA[side][1], z - HILA[side][2]) / len;
    if (segmentDistance(p, HILA[side], end) < vesselRadius(Math.min(along, 1))) return Tissue.LungVessel;
  }
  if (opts.pathology) {
    if (side === 0 && ellipsoid(x, y, z, [-85, -20, 150], [35, 35, 35]) < 1) return Tissue.Tumour;
    if (side === 1 && ellipsoid(x, y, z, [95, 45, 40], [35, 40, 45]) < 1) return Tissue.Consolidation;
    if (side === 0 && y > 55 - (z - 10) * 0.15 && z < 90) return Tissue.Effusion; // dependent fluid, thinning upwards
  }
  if (opts.emphysema) {
    if (ellipsoid(x, y, z, [-80 * (side ? -1 : 1), -10, 165], [40, 50, 40]) < 1) return Tissue.Emphysema;
    if (ellipsoid(x, y, z, [-95 * (side ? -1 : 1), -45, 120], [18, 15, 18]) < 1) return Tissue.Emphysema; // bulla
  }
  return Tissue.Lung;
}

/** Below the diaphragm: liver on the right, stomach with its gas bubble on the left, bowel loops with gas. */
function abdomenTissue(x: number, y: number, z: number): Tissue {
  if (ellipsoid(x, y, z, [-60, 0, -40], [85, 90, 110]) < 1 && z < domeZ(x, y, 0)) return Tissue.Liver;
  const stomach = ellipsoid(x, y, z, [60, -25, -25], [45, 40, 45]);
  if (stomach < 1) {
    if (stomach > 0.85 || z > domeZ(x, y, 1) - 4) return Tissue.Soft; // wall, also under the diaphragm
    return y < -35 ? Tissue.Gas : Tissue.Fluid; // supine: the gas rises to the front (−y)
  }
  for (const [c, rad] of BOWEL_GAS) {
    // distended loops in the lower abdomen (~200 ml of gas there); those near the stomach and the dome stay small
    const e = ellipsoid(x, y, z, c, rad) / (c[2] < -100 ? 1.5 : 1);
    if (e < 1) return Tissue.Gas;
    if (e < 1.35) return Tissue.Soft; // bowel wall and contents around the gas
  }
  if (ellipsoid(x, y, z, [-70, 50, -110], [25, 20, 50]) < 1 || ellipsoid(x, y, z, [70, 50, -110], [25, 20, 50]) < 1) {
    return Tissue.Soft; // kidneys
  }
  if (Math.sin(x / 23) * Math.sin(y / 19) * Math.sin(z / 29) > 0.5) return Tissue.Fat; // mesenteric fat
  return Tissue.Soft;
}
