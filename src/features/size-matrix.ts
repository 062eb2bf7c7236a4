// The features shared by IBSI's run-length, size-zone, distance-zone and dependence matrices: a matrix of counts
// r(i, j) over grey level i = 1..Ng and a second index j = 1..Nj (run length, zone size, distance, dependence count).

/** Counts, row-major: r(i, j) at (i − 1)·Nj + (j − 1). */
export interface SizeMatrix { counts: Float64Array; Ng: number; Nj: number }

export function sizeMatrix(Ng: number, Nj: number): SizeMatrix {
  return { counts: new Float64Array(Ng * Nj), Ng, Nj };
}

export function addTo(m: SizeMatrix, level: number, j: number): void {
  m.counts[(level - 1) * m.Nj + j - 1]!++;
}

/** The 16 shared features, in this order: small / large j emphasis, low / high grey level emphasis, the four
 *  combinations (small-low, small-high, large-low, large-high), grey level non-uniformity and its normalised form,
 *  j non-uniformity and its normalised form, percentage (Ns / voxels), grey level variance, j variance, entropy;
 *  then, for the dependence matrix, energy. */
export function sizeMatrixFeatures(m: SizeMatrix, voxels: number): number[] {
  const { counts, Ng, Nj } = m;
  let ns = 0;
  for (const c of counts) ns += c;
  const rowSums = new Float64Array(Ng), colSums = new Float64Array(Nj);
  let sj = 0, lj = 0, lg = 0, hg = 0, sjlg = 0, sjhg = 0, ljlg = 0, ljhg = 0, muI = 0, muJ = 0, entropy = 0, energy = 0;
  for (let i = 1; i <= Ng; i++) {
    for (let j = 1; j <= Nj; j++) {
      const r = counts[(i - 1) * Nj + j - 1]!;
      if (r === 0) continue;
      const p = r / ns, i2 = i * i, j2 = j * j;
      rowSums[i - 1]! += r; colSums[j - 1]! += r;
      sj += r / j2; lj += r * j2; lg += r / i2; hg += r * i2;
      sjlg += r / (i2 * j2); sjhg += (r * i2) / j2; ljlg += (r * j2) / i2; ljhg += r * i2 * j2;
      muI += i * p; muJ += j * p; entropy -= p * Math.log2(p); energy += p * p;
    }
  }
  let varI = 0, varJ = 0;
  for (let i = 1; i <= Ng; i++) {
    for (let j = 1; j <= Nj; j++) {
      const p = counts[(i - 1) * Nj + j - 1]! / ns;
      if (p === 0) continue;
      varI += (i - muI) ** 2 * p; varJ += (j - muJ) ** 2 * p;
    }
  }
  let glnu = 0, jnu = 0;
  for (const s of rowSums) glnu += s * s;
  for (const s of colSums) jnu += s * s;
  return [
    sj / ns, lj / ns, lg / ns, hg / ns, sjlg / ns, sjhg / ns, ljlg / ns, ljhg / ns,
    glnu / ns, glnu / (ns * ns), jnu / ns, jnu / (ns * ns), ns / voxels, varI, varJ, entropy, energy,
  ];
}

/** Element-wise sum of matrices of one shape (the "merged" aggregation). */
export function mergeMatrices(ms: SizeMatrix[]): SizeMatrix {
  const out = sizeMatrix(ms[0]!.Ng, Math.max(...ms.map((m) => m.Nj)));
  for (const m of ms) {
    for (let i = 0; i < m.Ng; i++) for (let j = 0; j < m.Nj; j++)
      out.counts[i * out.Nj + j]! += m.counts[i * m.Nj + j]!;
  }
  return out;
}
