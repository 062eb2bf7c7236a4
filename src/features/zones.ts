// IBSI size-zone (GLSZM) and distance-zone (GLDZM) features, 3D: zones are 26-connected groups of ROI voxels with
// one grey level. GLSZM counts zones by size; GLDZM by their smallest distance to the ROI border, where a voxel's
// distance is the fewest 6-connected steps that leave the morphological mask, counting itself (the border layer is 1).
import { DIRECTIONS_3D } from './directions.js';
import { addTo, mergeMatrices, sizeMatrix, sizeMatrixFeatures } from './size-matrix.js';
import type { DiscretisedVolume, Feature, TextureAggregation } from './types.js';

const SHARED: [string, string][] = [
  ['Small zone emphasis', 'Small distance emphasis'], ['Large zone emphasis', 'Large distance emphasis'],
  ['Low grey level zone emphasis', 'Low grey level zone emphasis'],
  ['High grey level zone emphasis', 'High grey level zone emphasis'],
  ['Small zone low grey level emphasis', 'Small distance low grey level emphasis'],
  ['Small zone high grey level emphasis', 'Small distance high grey level emphasis'],
  ['Large zone low grey level emphasis', 'Large distance low grey level emphasis'],
  ['Large zone high grey level emphasis', 'Large distance high grey level emphasis'],
  ['Grey level non-uniformity', 'Grey level non-uniformity'],
  ['Normalised grey level non-uniformity', 'Normalised grey level non-uniformity'],
  ['Zone size non-uniformity', 'Zone distance non-uniformity'],
  ['Normalised zone size non-uniformity', 'Normalised zone distance non-uniformity'],
  ['Zone percentage', 'Zone percentage'], ['Grey level variance', 'Grey level variance'],
  ['Zone size variance', 'Zone distance variance'], ['Zone size entropy', 'Zone distance entropy'],
];
const GLSZM_IDS = ['5QRC', '48P8', 'XMSY', '5GN9', '5RAI', 'HW1V', 'YH51', 'J17V', 'JNSA', 'Y1RO', '4JP3', 'VB3A',
  'P30P', 'BYLV', '3NSA', 'GU8N'];
const GLDZM_IDS = ['0GBI', 'MB4I', 'S1RA', 'K26C', 'RUVG', 'DKNJ', 'A7WM', 'KLTH', 'VFT7', '7HP3', 'V294', 'IATH',
  'VIWW', 'QK93', '7WT1', 'GBDU'];

export function zoneFeatures(d: DiscretisedVolume, intensityMask: Uint8Array, morphMask: Uint8Array,
  aggregations: TextureAggregation[] = ['3D']): Feature[] {
  const out: Feature[] = [];
  const emit = (aggregation: TextureAggregation, glszm: number[], gldzm: number[]) => out.push(
    ...SHARED.map(([name], k): Feature => ({ id: GLSZM_IDS[k]!, name, family: 'glszm', aggregation, value: glszm[k]!,
      unit: '1' })),
    ...SHARED.map(([, name], k): Feature => ({ id: GLDZM_IDS[k]!, name, family: 'gldzm', aggregation, value: gldzm[k]!,
      unit: '1' })));
  const volume = zoneMatrices(d, intensityMask, morphMask, false);
  const all = volume.perSlice(); // one entry: the whole volume
  emit('3D', sizeMatrixFeatures(all[0]!.bySize, all[0]!.voxels),
    sizeMatrixFeatures(all[0]!.byDistance, all[0]!.voxels));
  if (!aggregations.includes('2D') && !aggregations.includes('2.5D')) return out;
  const slices = zoneMatrices(d, intensityMask, morphMask, true).perSlice();
  const mean = (vs: number[][]) => vs[0]!.map((_, k) => vs.reduce((a, v) => a + v[k]!, 0) / vs.length);
  if (aggregations.includes('2D')) {
    emit('2D', mean(slices.map((s) => sizeMatrixFeatures(s.bySize, s.voxels))),
      mean(slices.map((s) => sizeMatrixFeatures(s.byDistance, s.voxels))));
  }
  if (aggregations.includes('2.5D')) {
    const voxels = slices.reduce((a, s) => a + s.voxels, 0);
    emit('2.5D', sizeMatrixFeatures(mergeMatrices(slices.map((s) => s.bySize)), voxels),
      sizeMatrixFeatures(mergeMatrices(slices.map((s) => s.byDistance)), voxels));
  }
  return out;
}

/** Zones in 3D (26-connected) or per slice (8-connected, distances in-plane), with their size and border distance;
 *  perSlice() gives one pair of matrices for the volume (3D) or one per slice holding ROI voxels (planar). */
function zoneMatrices(d: DiscretisedVolume, intensityMask: Uint8Array, morphMask: Uint8Array, planar: boolean) {
  const { zoneOf, zones } = labelZones(d, intensityMask, planar);
  const distance = borderDistance(morphMask, d.dims, planar);
  const sliceSize = d.dims[1] * d.dims[2];
  const sizes = new Float64Array(zones.length), nearest = new Float64Array(zones.length).fill(Infinity);
  const sliceOf = new Int32Array(zones.length);
  const voxelsInSlice = new Map<number, number>();
  for (let v = 0; v < zoneOf.length; v++) {
    const z = zoneOf[v]!;
    if (z < 0) continue;
    const slice = planar ? Math.floor(v / sliceSize) : 0;
    sizes[z]!++;
    nearest[z] = Math.min(nearest[z]!, distance[v]!);
    sliceOf[z] = slice;
    voxelsInSlice.set(slice, (voxelsInSlice.get(slice) ?? 0) + 1);
  }
  const perSlice = () => [...voxelsInSlice.entries()].sort((a, b) => a[0] - b[0]).map(([slice, voxels]) => {
    const members = zones.map((_, z) => z).filter((z) => sliceOf[z] === slice);
    const bySize = sizeMatrix(d.greyLevelCount, largest(members.map((z) => sizes[z]!)));
    const byDistance = sizeMatrix(d.greyLevelCount, largest(members.map((z) => nearest[z]!)));
    for (const z of members) {
      addTo(bySize, zones[z]!, sizes[z]!);
      addTo(byDistance, zones[z]!, nearest[z]!);
    }
    return { bySize, byDistance, voxels };
  });
  return { perSlice };
}

/** Math.max(...a) overflows the call stack for large arrays. */
function largest(a: ArrayLike<number> & Iterable<number>): number {
  let m = 1;
  for (const v of a) if (v > m) m = v;
  return m;
}

/** 26-connected components of equal grey level (flood fill with an explicit stack); zones[z] is zone z's level. */
function labelZones(d: DiscretisedVolume, mask: Uint8Array, planar: boolean): { zoneOf: Int32Array; zones: number[] } {
  const [Z, Y, X] = d.dims;
  const zoneOf = new Int32Array(mask.length).fill(-1);
  const zones: number[] = [];
  const directions = planar ? DIRECTIONS_3D.filter(([a]) => a === 0) : DIRECTIONS_3D;
  const count = 2 * directions.length;
  const dz = new Int8Array(count), dy = new Int8Array(count), dx = new Int8Array(count), step = new Int32Array(count);
  directions.forEach(([a, b, c], k) => {
    [dz[2 * k], dy[2 * k], dx[2 * k], dz[2 * k + 1], dy[2 * k + 1], dx[2 * k + 1]] = [a, b, c, -a, -b, -c];
    step[2 * k] = c + X * (b + Y * a); step[2 * k + 1] = -step[2 * k]!;
  });
  const stack = new Int32Array(mask.length);
  for (let seed = 0; seed < mask.length; seed++) {
    if (!mask[seed] || zoneOf[seed]! >= 0) continue;
    const level = d.levels[seed]!, zone = zones.length;
    zones.push(level);
    zoneOf[seed] = zone;
    let top = 0;
    stack[top++] = seed;
    while (top > 0) {
      const v = stack[--top]!;
      const x = v % X, y = ((v - x) / X) % Y, z = (v - x - X * y) / (X * Y);
      for (let k = 0; k < count; k++) {
        const xx = x + dx[k]!, yy = y + dy[k]!, zz = z + dz[k]!;
        if (xx < 0 || yy < 0 || zz < 0 || xx >= X || yy >= Y || zz >= Z) continue;
        const n = v + step[k]!;
        if (mask[n] && zoneOf[n] === -1 && d.levels[n] === level) { zoneOf[n] = zone; stack[top++] = n; }
      }
    }
  }
  return { zoneOf, zones };
}

/** City-block distance to outside the mask (off-grid counts as outside), 1 on the border layer: breadth-first. */
export function borderDistance(mask: Uint8Array, dims: readonly [number, number, number], planar = false): Int32Array {
  const [Z, Y, X] = dims;
  const dist = new Int32Array(mask.length);
  let frontier: number[] = [];
  const faces: [number, number, number][] = [[0, 0, 1], [0, 0, -1], [0, 1, 0], [0, -1, 0]];
  if (!planar) faces.push([1, 0, 0], [-1, 0, 0]);
  const neighbour = (v: number, [dz, dy, dx]: [number, number, number]) => {
    const x = (v % X) + dx, y = (Math.floor(v / X) % Y) + dy, z = Math.floor(v / (X * Y)) + dz;
    return x < 0 || y < 0 || z < 0 || x >= X || y >= Y || z >= Z ? -1 : x + X * (y + Y * z);
  };
  for (let z = 0, v = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        const border = x === 0 || y === 0 || x === X - 1 || y === Y - 1 || !mask[v - 1] || !mask[v + 1] || !mask[v - X]
          || !mask[v + X] || (!planar && (z === 0 || z === Z - 1 || !mask[v - X * Y] || !mask[v + X * Y]));
        if (border) { dist[v] = 1; frontier.push(v); }
      }
    }
  }
  for (let level = 2; frontier.length; level++) {
    const next: number[] = [];
    for (const v of frontier) {
      for (const f of faces) {
        const n = neighbour(v, f);
        if (n >= 0 && mask[n] && dist[n] === 0) { dist[n] = level; next.push(n); }
      }
    }
    frontier = next;
  }
  return dist;
}
