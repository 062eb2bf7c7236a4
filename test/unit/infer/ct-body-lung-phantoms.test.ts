// ct-body-lung through the real path (manifest, registry, worker pool) on every anatomical phantom: Dice against
// ground truth the model never sees (table, cushion, blanket, bowel gas, cropped fields of view, head, pathology).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import { checkResult } from '../../../src/qc/index.js';
import {
  PHANTOM_CASES, phantomToVolume, renderCase, scorePhantom, type AnatomicalPhantom,
} from '../../../src/synthetic/anatomy/index.js';
import { repoRoot } from './helpers.js';

// Coarser than a real scan (the model works on a 2 mm grid anyway) so that the whole file stays quick on 2 cores:
// 160 pixels across each case's own field of view, the same anatomy and slice spacing.
const MATRIX = 160;

describe('ct-body-lung on the anatomical phantoms', () => {
  let registry: ModelRegistry;
  beforeAll(async () => { registry = await loadModelRegistry(path.join(repoRoot, 'models')); });
  afterAll(async () => { await registry.close(); });

  it('covers every case the issue names, each with ground truth that has body and, where stated, lung', () => {
    expect(PHANTOM_CASES.map((c) => c.name)).toEqual(expect.arrayContaining([
      'abdomen-no-lung', 'chest-cropped-fov', 'chest-cropped-sides', 'lung-bases', 'lung-apices', 'head',
      'chest-pathology', 'chest-emphysema', 'chest-table-cushion',
    ]));
  });

  for (const c of PHANTOM_CASES) {
    const expectation = c.hasLung ? 'lung Dice ≥ 0.90' : 'at most 5 ml of lung';
    it(`${c.name}: body Dice ≥ 0.95, ${expectation}`, { timeout: 120_000 }, async () => {
      const phantom = renderCase(c, { matrix: MATRIX });
      const result = await runModel(registry, 'ct-body-lung', phantomToVolume(phantom));
      const s = scorePhantom(phantom, result.labels);
      console.log(`${c.name}: body ${s.bodyDice.toFixed(3)}, lung ${s.lungDice.toFixed(3)}, ` +
        `lung ${s.lungTruthMl.toFixed(0)} ml truth / ${s.lungPredictedMl.toFixed(1)} ml predicted`);
      expect(s.bodyDice).toBeGreaterThanOrEqual(0.95);
      if (c.hasLung) {
        expect(s.lungTruthMl).toBeGreaterThan(100); // the case really has lung to find
        expect(s.lungDice).toBeGreaterThanOrEqual(0.9);
      } else {
        expect(s.lungTruthMl).toBe(0);
        if (c.name === 'abdomen-no-lung')
          expect(gasMl(phantom)).toBeGreaterThan(150); // the trap: bowel and stomach gas
        expect(s.lungPredictedMl).toBeLessThanOrEqual(5);
      }
      // A right result must not be held by the model's own plausibility checks.
      const manifest = registry.get('ct-body-lung')!.manifest!;
      const [cols, rows, slices] = phantom.dims;
      const [sc, sr, ss] = phantom.spacing;
      const qc = checkResult({
        labels: { data: result.labels, dims: [slices, rows, cols], spacingMm: [ss, sr, sc] },
        scannedLengthCm: (slices * ss) / 10, segments: manifest.segments,
      });
      expect(qc.reasons).toEqual([]);
    });
  }
});

/** Gas inside the body that is not lung (bowel, stomach, airways, sinuses), from the ground truth. */
function gasMl(p: AnatomicalPhantom): number {
  let voxels = 0;
  for (let v = 0; v < p.hu.length; v++) if (p.bodyMask[v] && !p.lungMask[v] && p.hu[v] < -900) voxels++;
  return (voxels * p.spacing[0] * p.spacing[1] * p.spacing[2]) / 1000;
}
