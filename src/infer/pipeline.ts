// One model run inside a worker: model grid → intensity → whole/sliding-window inference → labels on the source grid.
import { performance } from 'node:perf_hooks';
import { InferenceError } from './errors.js';
import { isSegmentationModel, type IntensityStep, type ModelManifest, type SegmentationManifest } from './manifest.js';
import { labelsToSourceGrid, planModelGrid, resampleToModelGrid, type Triple } from './model-grid.js';
import { discretize } from './postprocess.js';
import { slidingWindowInference, type PatchInference, type WindowSettings } from './sliding-window.js';
import type { Volume } from './volume/types.js';

export interface StageTimings { preprocessMs: number; inferenceMs: number; windowingMs: number; postprocessMs: number }

/** Runs the manifest's pipeline on a volume and writes source-grid labels into `labelsOut` (same indexing as
 *  volume.data). */
export async function runPipeline(manifest: ModelManifest, volume: Volume, infer: PatchInference,
  labelsOut: Uint8Array): Promise<StageTimings> {
  const t0 = performance.now();
  if (!isSegmentationModel(manifest)) throw new InferenceError('MODEL_RUN_FAILED',
    `model ${manifest.id} (${manifest.task}) takes no volume`);
  const pre = manifest.preprocessing;
  const grid = planModelGrid(volume, pre);
  const image = resampleToModelGrid(volume, grid, pre.interpolation);
  applyIntensitySteps(image, pre.intensity);
  const t1 = performance.now();

  let inferenceMs = 0;
  const timedInfer: PatchInference = async (batch, size, spatial) => {
    const start = performance.now();
    try { return await infer(batch, size, spatial); } finally { inferenceMs += performance.now() - start; }
  };
  const { output, channels } = await slidingWindowInference(image, grid.dims, windowSettings(manifest, grid.dims),
    timedInfer);
  const t2 = performance.now();

  const modelLabels = discretize(output, channels, manifest.outputs[0].kind, manifest.postprocessing);
  labelsToSourceGrid(modelLabels, grid, volume.dims, labelsOut);
  const t3 = performance.now();
  return { preprocessMs: t1 - t0, inferenceMs, windowingMs: t2 - t1 - inferenceMs, postprocessMs: t3 - t2 };
}

/** Whole-volume inference is one window the size of the grid, so both modes share one code path. */
function windowSettings(manifest: SegmentationManifest, dims: Triple): WindowSettings {
  const inf = manifest.inference;
  if (inf.mode === 'whole')
    return { roi: dims, overlap: 0, blending: 'constant', batch: 1, spatialAxes: manifest.preprocessing.spatialAxes };
  return {
    // A remote server takes up to backend.maxBatch patches per request (its max batch size).
    roi: inf.roi!, overlap: inf.overlap ?? 0.25, blending: inf.blending ?? 'gaussian',
    batch: manifest.backend?.maxBatch ?? inf.batch ?? 1,
    spatialAxes: manifest.preprocessing.spatialAxes,
  };
}

/** Applies clip / scale-shift / z-score in manifest order, in place. */
export function applyIntensitySteps(image: Float32Array, steps: IntensityStep[]): void {
  for (const step of steps) {
    if (step.op === 'clip') {
      for (let v = 0; v < image.length; v++) image[v] = Math.min(step.max, Math.max(step.min, image[v]));
    } else if (step.op === 'scaleShift') {
      for (let v = 0; v < image.length; v++) image[v] = image[v] * step.scale + step.shift;
    } else {
      const { mean, std } =
        step.mean !== undefined && step.std !== undefined ? { mean: step.mean, std: step.std } : statistics(image);
      const inv = 1 / Math.max(std, 1e-8);
      for (let v = 0; v < image.length; v++) image[v] = (image[v] - mean) * inv;
    }
  }
}

function statistics(image: Float32Array): { mean: number; std: number } {
  let sum = 0, sumSq = 0;
  for (let v = 0; v < image.length; v++) { sum += image[v]; sumSq += image[v] * image[v]; }
  const mean = sum / image.length;
  return { mean, std: Math.sqrt(Math.max(sumSq / image.length - mean * mean, 0)) };
}
