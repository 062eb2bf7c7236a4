// IBSI neighbourhood features, 3D at Chebyshev distance 1 (the 26 neighbours, only those inside the ROI):
// NGTDM (neighbourhood grey tone difference) and NGLDM (neighbouring grey level dependence, coarseness α = 0).
import { DIRECTIONS_3D } from './directions.js';
import { addTo, mergeMatrices, sizeMatrix, sizeMatrixFeatures, type SizeMatrix } from './size-matrix.js';
import type { DiscretisedVolume, Feature, TextureAggregation } from './types.js';

const NGTDM: [string, string][] = [
  ['QCDE', 'Coarseness'], ['65HE', 'Contrast'], ['NQ30', 'Busyness'], ['HDEZ', 'Complexity'], ['1X9X', 'Strength'],
];
const NGLDM: [string, string][] = [
  ['SODN', 'Low dependence emphasis'], ['IMOQ', 'High dependence emphasis'], ['TL9H', 'Low grey level count emphasis'],
  ['OAE7', 'High grey level count emphasis'], ['EQ3F', 'Low dependence low grey level emphasis'],
  ['JA6D', 'Low dependence high grey level emphasis'], ['NBZI', 'High dependence low grey level emphasis'],
  ['9QMG', 'High dependence high grey level emphasis'], ['FP8K', 'Grey level non-uniformity'],
  ['5SPA', 'Normalised grey level non-uniformity'], ['Z87G', 'Dependence count non-uniformity'],
  ['OKJI', 'Normalised dependence count non-uniformity'], ['6XV8', 'Dependence count percentage'],
  ['1PFV', 'Grey level variance'], ['DNX2', 'Dependence count variance'], ['FCBV', 'Dependence count entropy'],
  ['CAS9', 'Dependence count energy'],
];

export function neighbourhoodFeatures(d: DiscretisedVolume, mask: Uint8Array,
  aggregations: TextureAggregation[] = ['3D']): Feature[] {
  const Ng = d.greyLevelCount;
  const out: Feature[] = [];
  const emit = (aggregation: TextureAggregation, ngtdm: number[], ngldm: number[]) => out.push(
    ...NGTDM.map(([id, name], k): Feature => ({ id, name, family: 'ngtdm', aggregation, value: ngtdm[k]!, unit: '1' })),
    ...NGLDM.map(([id, name], k): Feature =>
      ({ id, name, family: 'ngldm', aggregation, value: ngldm[k]!, unit: '1' })));
  const [volume] = [...tally(d, mask, false).values()];
  emit('3D', ngtdmValues(volume!.s, volume!.n, Ng), sizeMatrixFeatures(volume!.dependence, volume!.voxels));
  if (!aggregations.includes('2D') && !aggregations.includes('2.5D')) return out;
  const slices = [...tally(d, mask, true).values()];
  const mean = (vs: number[][]) => vs[0]!.map((_, k) => vs.reduce((a, v) => a + v[k]!, 0) / vs.length);
  if (aggregations.includes('2D')) {
    emit('2D', mean(slices.map((t) => ngtdmValues(t.s, t.n, Ng))),
      mean(slices.map((t) => sizeMatrixFeatures(t.dependence, t.voxels))));
  }
  if (aggregations.includes('2.5D')) {
    const sum = (pick: (t: Tally) => Float64Array) =>
      slices.reduce((a, t) => a.map((x, i) => x + pick(t)[i]!), new Float64Array(Ng + 1));
    emit('2.5D', ngtdmValues(sum((t) => t.s), sum((t) => t.n), Ng),
      sizeMatrixFeatures(mergeMatrices(slices.map((t) => t.dependence)), slices.reduce((a, t) => a + t.voxels, 0)));
  }
  return out;
}

interface Tally { s: Float64Array; n: Float64Array; dependence: SizeMatrix; voxels: number }

/** Grey tone differences (s, n per level) and dependence counts, for the volume or (planar) per slice. */
function tally(d: DiscretisedVolume, mask: Uint8Array, planar: boolean): Map<number, Tally> {
  const Ng = d.greyLevelCount, sliceSize = d.dims[1] * d.dims[2];
  const out = new Map<number, Tally>();
  forEachNeighbourhood(d, mask, planar, (v, level, neighbourSum, neighbours, equal) => {
    const key = planar ? Math.floor(v / sliceSize) : 0;
    let t = out.get(key);
    if (!t) {
      t = { s: new Float64Array(Ng + 1), n: new Float64Array(Ng + 1), dependence: sizeMatrix(Ng, 27), voxels: 0 };
      out.set(key, t);
    }
    t.voxels++;
    addTo(t.dependence, level, equal + 1);
    if (neighbours === 0) return; // IBSI: a voxel without ROI neighbours has no grey tone difference
    t.s[level]! += Math.abs(level - neighbourSum / neighbours);
    t.n[level]!++;
  });
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]));
}

/** For each ROI voxel: its level, the sum and number of its ROI neighbours' levels, how many equal its own. */
function forEachNeighbourhood(d: DiscretisedVolume, mask: Uint8Array, planar: boolean,
  visit: (v: number, level: number, neighbourSum: number, neighbours: number, equal: number) => void): void {
  const [Z, Y, X] = d.dims;
  const directions = planar ? DIRECTIONS_3D.filter(([a]) => a === 0) : DIRECTIONS_3D;
  const count = 2 * directions.length; // typed offsets: this loop runs 26 times per ROI voxel
  const dz = new Int8Array(count), dy = new Int8Array(count), dx = new Int8Array(count), step = new Int32Array(count);
  directions.forEach(([a, b, c], k) => {
    [dz[2 * k], dy[2 * k], dx[2 * k], dz[2 * k + 1], dy[2 * k + 1], dx[2 * k + 1]] = [a, b, c, -a, -b, -c];
    step[2 * k] = c + X * (b + Y * a); step[2 * k + 1] = -step[2 * k]!;
  });
  for (let z = 0, v = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        const level = d.levels[v]!;
        let sum = 0, neighbours = 0, equal = 0;
        for (let k = 0; k < count; k++) {
          const xx = x + dx[k]!, yy = y + dy[k]!, zz = z + dz[k]!;
          if (xx < 0 || yy < 0 || zz < 0 || xx >= X || yy >= Y || zz >= Z) continue;
          const nb = v + step[k]!;
          if (!mask[nb]) continue;
          const l = d.levels[nb]!;
          sum += l; neighbours++;
          if (l === level) equal++;
        }
        visit(v, level, sum, neighbours, equal);
      }
    }
  }
}

function ngtdmValues(s: Float64Array, n: Float64Array, Ng: number): number[] {
  let nvc = 0, sSum = 0, present = 0;
  for (let i = 1; i <= Ng; i++) { nvc += n[i]!; sSum += s[i]!; if (n[i]! > 0) present++; }
  const p = n.map((c) => c / nvc);
  let weighted = 0, contrastPairs = 0, busyDenominator = 0, complexity = 0, strengthPairs = 0;
  for (let i = 1; i <= Ng; i++) {
    if (p[i] === 0) continue;
    weighted += p[i]! * s[i]!;
    for (let j = 1; j <= Ng; j++) {
      if (p[j] === 0) continue;
      contrastPairs += p[i]! * p[j]! * (i - j) ** 2;
      busyDenominator += Math.abs(i * p[i]! - j * p[j]!);
      complexity += (Math.abs(i - j) * (p[i]! * s[i]! + p[j]! * s[j]!)) / (p[i]! + p[j]!);
      strengthPairs += (p[i]! + p[j]!) * (i - j) ** 2;
    }
  }
  return [
    weighted > 0 ? 1 / weighted : 1e6, // coarseness of a uniform ROI: IBSI's arbitrary large value
    present > 1 ? (contrastPairs / (present * (present - 1))) * (sSum / nvc) : 0,
    busyDenominator > 0 ? weighted / busyDenominator : 0,
    complexity / nvc,
    sSum > 0 ? strengthPairs / sSum : 0,
  ];
}
