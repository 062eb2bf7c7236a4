// IBSI neighbourhood features, 3D at Chebyshev distance 1 (the 26 neighbours, only those inside the ROI):
// NGTDM (neighbourhood grey tone difference) and NGLDM (neighbouring grey level dependence, coarseness α = 0).
import { DIRECTIONS_3D } from './directions.js';
import { addTo, sizeMatrix, sizeMatrixFeatures } from './size-matrix.js';
import type { DiscretisedVolume, Feature } from './types.js';

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

export function neighbourhoodFeatures(d: DiscretisedVolume, mask: Uint8Array): Feature[] {
  const Ng = d.greyLevelCount;
  const s = new Float64Array(Ng + 1), n = new Float64Array(Ng + 1); // per grey level: Σ|i − Ā|, valid voxels
  const dependence = sizeMatrix(Ng, 27);
  let voxels = 0;
  forEachNeighbourhood(d, mask, (level, neighbourSum, neighbours, equal) => {
    voxels++;
    addTo(dependence, level, equal + 1);
    if (neighbours === 0) return; // IBSI: a voxel without ROI neighbours has no grey tone difference
    s[level]! += Math.abs(level - neighbourSum / neighbours);
    n[level]!++;
  });
  const ngldm = sizeMatrixFeatures(dependence, voxels);
  return [
    ...ngtdmFeatures(s, n, Ng),
    ...NGLDM.map(([id, name], k): Feature => ({ id, name, family: 'ngldm', aggregation: '3D', value: ngldm[k]!, unit: '1' })),
  ];
}

/** For each ROI voxel: its level, the sum and number of its ROI neighbours' levels, how many equal its own. */
function forEachNeighbourhood(d: DiscretisedVolume, mask: Uint8Array,
  visit: (level: number, neighbourSum: number, neighbours: number, equal: number) => void): void {
  const [Z, Y, X] = d.dims;
  const offsets: [number, number, number][] = [];
  for (const [a, b, c] of DIRECTIONS_3D) offsets.push([a, b, c], [-a, -b, -c]);
  for (let z = 0, v = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        if (!mask[v]) continue;
        const level = d.levels[v]!;
        let sum = 0, count = 0, equal = 0;
        for (const [dz, dy, dx] of offsets) {
          const xx = x + dx, yy = y + dy, zz = z + dz;
          if (xx < 0 || yy < 0 || zz < 0 || xx >= X || yy >= Y || zz >= Z) continue;
          const nb = xx + X * (yy + Y * zz);
          if (!mask[nb]) continue;
          const l = d.levels[nb]!;
          sum += l; count++;
          if (l === level) equal++;
        }
        visit(level, sum, count, equal);
      }
    }
  }
}

function ngtdmFeatures(s: Float64Array, n: Float64Array, Ng: number): Feature[] {
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
  const values: [string, string, number][] = [
    ['QCDE', 'Coarseness', weighted > 0 ? 1 / weighted : 1e6],
    ['65HE', 'Contrast', present > 1 ? (contrastPairs / (present * (present - 1))) * (sSum / nvc) : 0],
    ['NQ30', 'Busyness', busyDenominator > 0 ? weighted / busyDenominator : 0],
    ['HDEZ', 'Complexity', complexity / nvc],
    ['1X9X', 'Strength', sSum > 0 ? strengthPairs / sSum : 0],
  ];
  return values.map(([id, name, value]) => ({ id, name, family: 'ngtdm', aggregation: '3D', value, unit: '1' }));
}
