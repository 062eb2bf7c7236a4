// The plausibility checks ct-body-lung declares: every anatomical phantom's ground truth passes them, and label maps
// shaped like the two real failures of the old model (bowel gas called lung; blocky lung patches on a cropped chest)
// fail them. The failing label maps are built here from the phantoms' ground truth, not by any model.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkResult, type QcInput } from '../../../src/qc/index.js';
import { PHANTOM_CASES, renderCase, type AnatomicalPhantom } from '../../../src/synthetic/anatomy/index.js';
import { repoRoot } from '../../support/node-process.js';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/ct-body-lung/model.json'), 'utf8'));
const MATRIX = 128;

/** QC input for labels on the phantom's grid (the phantom is [cols, rows, slices]; QC wants [slices, rows, cols]). */
function qcInput(p: AnatomicalPhantom, labels: Uint8Array): QcInput {
  const [cols, rows, slices] = p.dims;
  const [sc, sr, ss] = p.spacing;
  return {
    labels: { data: labels, dims: [slices, rows, cols], spacingMm: [ss, sr, sc] },
    scannedLengthCm: (slices * ss) / 10,
    segments: manifest.segments,
  };
}

/** 1 body, 2 lung, as the model writes them. */
function truthLabels(p: AnatomicalPhantom): Uint8Array {
  const labels = new Uint8Array(p.hu.length);
  for (let v = 0; v < labels.length; v++) labels[v] = p.lungMask[v] ? 2 : p.bodyMask[v] ? 1 : 0;
  return labels;
}

const ml = (p: AnatomicalPhantom, voxels: number) => (voxels * p.spacing[0] * p.spacing[1] * p.spacing[2]) / 1000;

describe('the checks ct-body-lung declares', () => {
  it('declares checks on both segments', () => {
    for (const s of manifest.segments) expect(s.checks, s.label).toBeDefined();
  });

  for (const c of PHANTOM_CASES) {
    it(`pass on the ground truth of ${c.name}`, () => {
      const p = renderCase(c, { matrix: MATRIX });
      const qc = checkResult(qcInput(p, truthLabels(p)));
      expect(qc.reasons).toEqual([]);
      expect(qc.state).toBe('passed');
    });
  }

  it('fail an abdomen whose bowel and stomach gas is labelled lung (the old model on a real abdominal CT)', () => {
    const p = renderCase(PHANTOM_CASES.find((c) => c.name === 'abdomen-no-lung')!, { matrix: MATRIX });
    const labels = truthLabels(p);
    let gas = 0;
    for (let v = 0; v < labels.length; v++) if (p.bodyMask[v] && p.hu[v] < -900) { labels[v] = 2; gas++; }
    expect(ml(p, gas)).toBeGreaterThan(150); // the trap is really there
    const qc = checkResult(qcInput(p, labels));
    expect(qc.state).toBe('failed');
    expect(qc.reasons.map((r) => r.segment)).toContain('Lung');
  });

  it('fail a cropped chest where only ~70 ml of blocky patches at the back are labelled lung', () => {
    const p = renderCase(PHANTOM_CASES.find((c) => c.name === 'chest-cropped-fov')!, { matrix: MATRIX });
    const [cols, rows, slices] = p.dims;
    const labels = truthLabels(p);
    // Keep lung only in the rows nearest the back (j grows towards the back) until ~70 ml is left.
    const perRow = new Array<number>(rows).fill(0);
    for (let v = 0; v < labels.length; v++) if (labels[v] === 2) perRow[Math.floor(v / cols) % rows]++;
    let firstKept = rows, kept = 0;
    while (firstKept > 0 && ml(p, kept) < 70) kept += perRow[--firstKept];
    for (let k = 0; k < slices; k++) for (let j = 0; j < firstKept; j++) for (let i = 0; i < cols; i++) {
      const v = i + cols * (j + rows * k);
      if (labels[v] === 2) labels[v] = 1;
    }
    expect(ml(p, kept)).toBeGreaterThan(60);
    expect(ml(p, kept)).toBeLessThan(200);
    const qc = checkResult(qcInput(p, labels));
    expect(qc.state).toBe('failed');
    expect(qc.reasons.find((r) => r.segment === 'Lung')?.check).toBe('volumeMlPerCmOfExtent.min');
  });
});
