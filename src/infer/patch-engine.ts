// What runs the network inside an inference worker: in-process onnxruntime or a remote KServe v2 server.
// Both give the shared pipeline (pipeline.ts) the same PatchInference, so pre/post-processing never differ.
import type { ModelManifest } from './manifest.js';
import type { PatchInference } from './sliding-window.js';

export interface WorkerInit {
  modelPath: string; manifest: ModelManifest; intraOpNumThreads: number;
  /** Set to 1 by the pool when the run in progress has timed out: the worker stops before its next patch. */
  cancel: Int32Array;
}

/** One whole input tensor (a batch of 2D images [N, C, H, W]) → the output tensor as float32 with its dims. */
export type TensorInference = (data: Float32Array, dims: number[]) => Promise<{ data: Float32Array; dims: number[] }>;

export interface PatchEngine {
  infer: PatchInference;
  tensor: TensorInference;
  /** The execution provider in use ("cpu", "cuda"), or "kserve-v2" for a remote server. */
  provider: string;
  /** Providers tried and given up before `provider` (in-process only). */
  fallbacks: Array<{ provider: string; message: string }>;
}

/** Lets an engine log an event (a retried request) through the pool's logger on the main thread. */
export type EmitEvent = (event: string, fields: Record<string, unknown>) => void;

export type BackendType = 'onnxruntime' | NonNullable<ModelManifest['backend']>['type'];

/** A manifest without a backend runs in-process. */
export const backendType = (manifest: ModelManifest): BackendType => manifest.backend?.type ?? 'onnxruntime';
