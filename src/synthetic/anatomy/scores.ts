// Agreement of a body/lung label map with a phantom's ground truth: Dice and volumes, as the benchmark and tests
// report.
import type { Volume } from '../../infer/volume/types.js';
import type { AnatomicalPhantom } from './render.js';

export interface PhantomScores {
  bodyDice: number;
  /** NaN when neither truth nor prediction has lung */
  lungDice: number;
  lungTruthMl: number;
  lungPredictedMl: number;
  bodyTruthMl: number;
  bodyPredictedMl: number;
}

/** Labels as ct-body-lung writes them: 1 body, 2 lung (lung is part of the body). */
export function scorePhantom(phantom: AnatomicalPhantom, labels: Uint8Array): PhantomScores {
  let bodyBoth = 0, bodyP = 0, bodyT = 0, lungBoth = 0, lungP = 0, lungT = 0;
  for (let v = 0; v < labels.length; v++) {
    const bp = labels[v] >= 1, bt = phantom.bodyMask[v] === 1;
    const lp = labels[v] === 2, lt = phantom.lungMask[v] === 1;
    if (bp) bodyP++;
    if (bt) bodyT++;
    if (bp && bt) bodyBoth++;
    if (lp) lungP++;
    if (lt) lungT++;
    if (lp && lt) lungBoth++;
  }
  const ml = phantom.spacing[0] * phantom.spacing[1] * phantom.spacing[2] / 1000;
  return {
    bodyDice: (2 * bodyBoth) / (bodyP + bodyT), lungDice: lungP + lungT ? (2 * lungBoth) / (lungP + lungT) : NaN,
    lungTruthMl: lungT * ml, lungPredictedMl: lungP * ml, bodyTruthMl: bodyT * ml, bodyPredictedMl: bodyP * ml,
  };
}

/** The phantom as the volume the loader would give (HU on shared memory, axial LPS affine). */
export function phantomToVolume(phantom: AnatomicalPhantom): Volume {
  const data = new Float32Array(new SharedArrayBuffer(phantom.hu.length * 4));
  data.set(phantom.hu);
  const [si, sj, sk] = phantom.spacing;
  const [ox, oy, oz] = phantom.origin;
  const affine = [si, 0, 0, ox, 0, sj, 0, oy, 0, 0, sk, oz, 0, 0, 0, 1];
  return { dims: phantom.dims, spacing: phantom.spacing, affine, data };
}
