// Network output (channel-major on the model grid) → one label per voxel, as the manifest's postprocessing says.
import type { OutputKind, Postprocessing } from './manifest.js';

/** Labels on the model grid: argmax (channel index), threshold (0/1, or highest channel above + 1), or a label map as
 *  is. */
export function discretize(output: Float32Array, channels: number, kind: OutputKind, post: Postprocessing): Uint8Array {
  const voxels = output.length / channels;
  const labels = new Uint8Array(voxels);
  if (kind === 'labelmap') {
    for (let v = 0; v < voxels; v++) labels[v] = Math.min(255, Math.max(0, Math.round(output[v])));
    return labels;
  }
  if (post.discretize === 'argmax') {
    // softmax and sigmoid are monotone, so the argmax of the raw values is the argmax of the activated ones
    for (let v = 0; v < voxels; v++) {
      let best = 0, bestValue = output[v];
      for (let c = 1; c < channels; c++) {
        const value = output[c * voxels + v];
        if (value > bestValue) { best = c; bestValue = value; }
      }
      labels[v] = best;
    }
    return labels;
  }
  const cut = post.threshold ?? 0.5;
  for (let v = 0; v < voxels; v++) {
    const probabilities = activated(output, channels, voxels, v, kind === 'logits' ? post.activation : 'none');
    for (let c = 0; c < channels; c++) if (probabilities[c] > cut) labels[v] = channels === 1 ? 1 : c + 1;
  }
  return labels;
}

function activated(output: Float32Array, channels: number, voxels: number, v: number,
  activation: Postprocessing['activation']): number[] {
  const values = Array.from({ length: channels }, (_, c) => output[c * voxels + v]);
  if (activation === 'sigmoid') return values.map((x) => 1 / (1 + Math.exp(-x)));
  if (activation === 'softmax') {
    const max = Math.max(...values);
    const exps = values.map((x) => Math.exp(x - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / sum);
  }
  return values;
}
