// What lies around a patient on the scanner: a curved carbon table with a foam core, a foam cushion, a blanket.
import { Tissue } from './tissue.js';

export interface SupportOptions {
  /** y (mm, towards the back) of the table's top surface at the midline */
  tableTop: number;
  /** foam cushion thickness on the table in mm (0: none) */
  cushionMm: number;
  /** a blanket over the front of the patient, partly touching the skin */
  blanket?: { cy: number; ax: number; by: number };
}

/** The tissue of a point outside the patient: table, table core, cushion, blanket or air. */
export function supportTissue(x: number, y: number, z: number, s: SupportOptions): Tissue {
  if (Math.abs(x) < 230) {
    const top = s.tableTop - (x * x) / 2500; // the table top curves up at its sides
    if (y >= top && y < top + 20) {
      return y < top + 3 || y >= top + 17 || Math.abs(x) > 225 ? Tissue.Table : Tissue.TableCore; // skins, foam core
    }
    if (y >= top - s.cushionMm && y < top) return Tissue.Cushion;
  }
  if (s.blanket && y < s.blanket.cy) {
    const b = s.blanket;
    const gap = 3 + 3 * Math.sin(x / 25 + z / 40); // 0–6 mm above the skin: touching in places
    const r = Math.hypot(x / (b.ax + gap), (y - b.cy) / (b.by + gap));
    const outer = Math.hypot(x / (b.ax + gap + 4), (y - b.cy) / (b.by + gap + 4));
    if (r >= 1 && outer < 1) return Tissue.Blanket;
  }
  return Tissue.Air;
}
