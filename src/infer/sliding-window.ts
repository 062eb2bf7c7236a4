// Patch-wise inference over the model grid: windows with overlap, Gaussian (σ = roi/8) or constant blending, batching.
import type { Triple } from './model-grid.js';

/** Runs the network on a batch of patches laid out [B, 1, spatial…]; returns [B, C, spatial…] as float32 and C. */
export type PatchInference = (batch: Float32Array, batchSize: number, tensorSpatial: Triple) =>
  Promise<{ data: Float32Array; channels: number }>;

export interface WindowSettings {
  roi: Triple;              // along model i, j, k
  overlap: number;
  blending: 'gaussian' | 'constant';
  batch: number;
  spatialAxes: 'kji' | 'ijk';
}

/** Blended network output on the model grid, channel-major: value of channel c at voxel v is output[c * N + v]. */
export async function slidingWindowInference(image: Float32Array, dims: Triple, settings: WindowSettings,
  infer: PatchInference): Promise<{ output: Float32Array; channels: number }> {
  const roi = settings.roi;
  if (settings.spatialAxes === 'kji' && roi.every((n, p) => n === dims[p])) {
    // One window covering the grid in memory order: the image is the tensor, and blending one window changes nothing.
    const result = await infer(image, 1, [dims[2], dims[1], dims[0]]);
    if (result.data.length !== result.channels * image.length) throw new Error(
      `model output has ${result.data.length} values, expected ${result.channels}×${dims.join('×')}`);
    return { output: result.data, channels: result.channels };
  }
  const starts = [0, 1, 2].map((p) => windowStarts(dims[p], roi[p], settings.overlap));
  const windows: Triple[] = [];
  for (const k of starts[2]) for (const j of starts[1]) for (const i of starts[0]) windows.push([i, j, k]);
  const weight =
    settings.blending === 'gaussian' ? gaussianImportance(roi) : new Float32Array(roi[0] * roi[1] * roi[2]).fill(1);
  const padValue = minimumOf(image);
  const voxels = dims[0] * dims[1] * dims[2];
  const patchVoxels = roi[0] * roi[1] * roi[2];
  const tensorSpatial: Triple = settings.spatialAxes === 'kji' ? [roi[2], roi[1], roi[0]] : [roi[0], roi[1], roi[2]];
  const weightSum = new Float32Array(voxels);
  let output: Float32Array | undefined;
  let channels = 0;
  for (let first = 0; first < windows.length; first += settings.batch) {
    const group = windows.slice(first, first + settings.batch);
    const batch = new Float32Array(group.length * patchVoxels);
    group.forEach((origin, b) => copyPatch(image, dims, origin, roi, settings.spatialAxes, padValue,
      batch.subarray(b * patchVoxels, (b + 1) * patchVoxels)));
    const result = await infer(batch, group.length, tensorSpatial);
    if (!output) {
      channels = result.channels;
      output = new Float32Array(channels * voxels);
    }
    if (result.data.length !== group.length * channels * patchVoxels) {
      throw new Error(`model output has ${result.data.length} values, expected ${group.length}×${channels}×${roi.join('×')} (the network must keep the patch size)`);
    }
    group.forEach((origin, b) => addPatch(output!, weightSum, dims, origin, roi, settings.spatialAxes, weight,
      result.data, b * channels * patchVoxels, channels));
  }
  for (let c = 0; c < channels; c++) {
    const plane = output!.subarray(c * voxels, (c + 1) * voxels);
    for (let v = 0; v < voxels; v++) plane[v] /= weightSum[v];
  }
  return { output: output!, channels };
}

/** Window origins along one axis (as MONAI): evenly stepped, the last one flush with the end; one window if the axis is
 *  short. */
export function windowStarts(n: number, roi: number, overlap: number): number[] {
  if (n <= roi) return [0];
  const step = Math.max(1, Math.round(roi * (1 - overlap)));
  const count = Math.ceil((n - roi) / step) + 1;
  return Array.from({ length: count }, (_, s) => Math.min(s * step, n - roi));
}

/** Product of 1-D Gaussians centred in the patch, σ = roi/8, max 1, floored so edges still count a little. */
export function gaussianImportance(roi: Triple): Float32Array {
  const axis = roi.map((n) => {
    const sigma = n / 8, centre = (n - 1) / 2;
    return Float64Array.from({ length: n }, (_, x) => Math.exp(-((x - centre) ** 2) / (2 * sigma * sigma)));
  });
  const out = new Float32Array(roi[0] * roi[1] * roi[2]);
  let o = 0;
  for (let k = 0; k < roi[2]; k++) for (let j = 0; j < roi[1]; j++) for (let i = 0; i < roi[0]; i++) {
    out[o++] = Math.max(axis[0][i] * axis[1][j] * axis[2][k], 1e-3);
  }
  return out;
}

/** Index of patch voxel (i,j,k) inside one tensor patch, for either spatial axis order. */
function patchIndex(i: number, j: number, k: number, roi: Triple, axes: 'kji' | 'ijk'): number {
  return axes === 'kji' ? i + roi[0] * (j + roi[1] * k) : k + roi[2] * (j + roi[1] * i);
}

function copyPatch(image: Float32Array, dims: Triple, origin: Triple, roi: Triple, axes: 'kji' | 'ijk',
  padValue: number, patch: Float32Array): void {
  for (let k = 0; k < roi[2]; k++) for (let j = 0; j < roi[1]; j++) for (let i = 0; i < roi[0]; i++) {
    const x = origin[0] + i, y = origin[1] + j, z = origin[2] + k;
    const inside = x < dims[0] && y < dims[1] && z < dims[2];
    patch[patchIndex(i, j, k, roi, axes)] = inside ? image[x + dims[0] * (y + dims[1] * z)] : padValue;
  }
}

function addPatch(output: Float32Array, weightSum: Float32Array, dims: Triple, origin: Triple, roi: Triple,
  axes: 'kji' | 'ijk', weight: Float32Array, result: Float32Array, offset: number, channels: number): void {
  const voxels = dims[0] * dims[1] * dims[2];
  const patchVoxels = roi[0] * roi[1] * roi[2];
  let w = 0;
  for (let k = 0; k < roi[2]; k++) for (let j = 0; j < roi[1]; j++) for (let i = 0; i < roi[0]; i++, w++) {
    const x = origin[0] + i, y = origin[1] + j, z = origin[2] + k;
    if (x >= dims[0] || y >= dims[1] || z >= dims[2]) continue;
    const v = x + dims[0] * (y + dims[1] * z);
    const p = offset + patchIndex(i, j, k, roi, axes);
    weightSum[v] += weight[w];
    for (let c = 0; c < channels; c++) output[c * voxels + v] += weight[w] * result[p + c * patchVoxels];
  }
}

function minimumOf(values: Float32Array): number {
  let min = Infinity;
  for (let v = 0; v < values.length; v++) if (values[v] < min) min = values[v];
  return Number.isFinite(min) ? min : 0;
}
