// An adult head in a head holder: scalp, skull, brain with ventricles, paranasal sinuses and mastoid air cells.
import { ellipsoid } from './shapes.js';
import { Tissue } from './tissue.js';

const CENTRE: [number, number, number] = [0, 0, 0];
const RADII: [number, number, number] = [75, 95, 95];

export function headTissue(x: number, y: number, z: number): Tissue {
  const r = ellipsoid(x, y, z, CENTRE, RADII);
  if (r > 1) return holderTissue(x, y, z);
  if (r > 0.94) return Tissue.Soft; // scalp
  const sinus = [
    ellipsoid(x, y, z, [0, -78, 25], [16, 7, 10]), // frontal
    ellipsoid(x, y, z, [-24, -55, -45], [14, 15, 16]), ellipsoid(x, y, z, [24, -55, -45], [14, 15, 16]), // maxillary
    ellipsoid(x, y, z, [-58, 22, -35], [7, 7, 7]), ellipsoid(x, y, z, [58, 22, -35], [7, 7, 7]), // mastoid
  ];
  if (sinus.some((s) => s < 1)) return Tissue.Gas;
  if (sinus.some((s) => s < 1.5)) return Tissue.Bone;
  if (r > 0.86) return Tissue.Bone; // skull
  if (z < -30) return Tissue.Soft; // skull base and face
  const ventricle = (side: number) => ellipsoid(x, y, z, [10 * side, 0, 15], [6, 25, 12]) < 1;
  if (ventricle(-1) || ventricle(1)) return Tissue.Csf;
  return Tissue.Brain;
}

/** A U-shaped plastic head holder behind the head, with a foam pad between. */
function holderTissue(x: number, y: number, z: number): Tissue {
  if (y < 10) return Tissue.Air;
  const d = Math.hypot(x / 1.1, y);
  if (d > 112 && d < 118) return Tissue.Table;
  const clearOfHead = ellipsoid(x, y, z, CENTRE, [RADII[0] + 3, RADII[1] + 3, RADII[2] + 3]) > 1;
  if (d > 92 && d <= 112 && clearOfHead) return Tissue.Cushion;
  return Tissue.Air;
}
