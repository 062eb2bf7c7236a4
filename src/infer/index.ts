// Public entry of the inference stage: run a registered model on a volume and get labels on the source grid.
import { performance } from 'node:perf_hooks';
import { InferenceError } from './errors.js';
import type { ModelRegistry } from './registry.js';
import type { Volume } from './volume/types.js';
import type { Image2dSource, ImageOutput } from './image2d/run.js';

export { loadModelRegistry, type ModelRegistry, type ModelSummary } from './registry.js';
export { InferenceError, type InferenceErrorCode } from './errors.js';
export type { ModelManifest, SegmentDescription, Code, RemoteBackend, FindingClass } from './manifest.js';
export type { Image2dSource, ImageOutput } from './image2d/run.js';
export type { ClassFinding } from './classify.js';
export { ImageTransform, type TransformParams, type PixelSpacingFact, type Point } from './image2d/transform.js';
export type { BackendStatus } from './backend.js';
export { applicabilityProblems, type SeriesFacts } from './applicability.js';

export interface RunTimings { preprocessMs: number; inferenceMs: number; windowingMs: number; postprocessMs: number;
  totalMs: number }
export interface ModelRunResult {
  /** One label per source voxel, same indexing as Volume.data: i + cols * (j + rows * k). */
  labels: Uint8Array;
  provider: string;
  timings: RunTimings;
}

const openRegistries = new Set<ModelRegistry>();

/** Runs `modelId` on `volume` in the model's worker pool; rejects with an InferenceError carrying a code. */
export async function runModel(registry: ModelRegistry, modelId: string, volume: Volume,
  opts: { timeoutMs?: number } = {}): Promise<ModelRunResult> {
  const start = performance.now();
  const entry = registry.get(modelId);
  if (!entry) throw new InferenceError('MODEL_NOT_FOUND', `no model "${modelId}" in the registry`);
  if (entry.state !== 'ready' || !entry.backend) throw new InferenceError('MODEL_NOT_READY',
    `model "${modelId}" was refused: ${entry.error?.message ?? 'unknown reason'}`);
  openRegistries.add(registry);
  const shared = onSharedMemory(checkedVolume(volume));
  const labels = new Uint8Array(new SharedArrayBuffer(shared.data.length));
  const stages = await entry.backend.run(shared, labels, opts.timeoutMs);
  return { labels, provider: entry.backend.provider, timings: { ...stages, totalMs: performance.now() - start } };
}

/** Starts `modelId`'s first worker now, so its start-up (thread, session: 0.5–0.9 s) overlaps the series load. */
export function warmModel(registry: ModelRegistry, modelId: string): void {
  const entry = registry.get(modelId);
  if (entry?.state === 'ready') entry.backend?.warm();
}

/** Runs a 2D model (classification or detection) on each image of `source` in the model's worker pool. */
export async function runImageModel(registry: ModelRegistry, modelId: string, source: Image2dSource,
  opts: { timeoutMs?: number } = {})
  : Promise<{ images: ImageOutput[]; provider: string; timings: RunTimings }> {
  const start = performance.now();
  const entry = registry.get(modelId);
  if (!entry) throw new InferenceError('MODEL_NOT_FOUND', `no model "${modelId}" in the registry`);
  if (entry.state !== 'ready' || !entry.backend) throw new InferenceError('MODEL_NOT_READY',
    `model "${modelId}" was refused: ${entry.error?.message ?? 'unknown reason'}`);
  openRegistries.add(registry);
  const shared = source.kind === 'slices' ? { ...source, data: onSharedFloats(source.data) } : source;
  const { images, timings } = await entry.backend.run2d(shared, opts.timeoutMs);
  return { images, provider: entry.backend.provider, timings: { ...timings, totalMs: performance.now() - start } };
}

/** Stops the worker pools of every registry given to runModel (and of `registry`, if given). */
export async function shutdown(registry?: ModelRegistry): Promise<void> {
  if (registry) openRegistries.add(registry);
  const all = [...openRegistries];
  openRegistries.clear();
  await Promise.all(all.map((r) => r.close()));
}

function checkedVolume(volume: Volume): Volume {
  const [ni, nj, nk] = volume.dims;
  const problems: string[] = [];
  if (![ni, nj, nk].every((n) => Number.isInteger(n) && n > 0)) problems.push(
    `dims ${volume.dims.join('×')} are not positive integers`);
  if (!volume.spacing.every((s) => Number.isFinite(s) && s > 0)) problems.push(
    `spacing ${volume.spacing.join(', ')} is not positive`);
  if (volume.affine.length !== 16 || !volume.affine.every(Number.isFinite)) problems.push(
    'affine must be 16 finite numbers');
  if (!(volume.data instanceof Float32Array) || volume.data.length !== ni * nj * nk) problems.push(
    `data must be a Float32Array of ${ni * nj * nk} values`);
  if (problems.length) throw new InferenceError('INVALID_VOLUME', problems.join('; '));
  return volume;
}

/** Workers read the volume in place; a volume not yet on shared memory is copied there once. */
function onSharedMemory(volume: Volume): Volume {
  return { ...volume, data: onSharedFloats(volume.data) };
}

function onSharedFloats(values: Float32Array): Float32Array {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const data = new Float32Array(new SharedArrayBuffer(values.byteLength));
  data.set(values);
  return data;
}
