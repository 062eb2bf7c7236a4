// Worker thread that runs the whole model pipeline off the main event loop, on the patch engine the manifest's
// backend names (in-process onnxruntime session, or a KServe v2 client). Started by the pool (worker-slot.ts);
// volumes and label maps arrive as views on SharedArrayBuffers, so nothing large is copied.
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceError } from './errors.js';
import { backendType, type BackendType, type EmitEvent, type PatchEngine, type WorkerInit } from './patch-engine.js';
import { runPipeline } from './pipeline.js';
import type { PatchInference } from './sliding-window.js';
import { runImages, type Image2dSource, type ImageOutput } from './image2d/run.js';
import type { Volume } from './volume/types.js';

export type { WorkerInit } from './patch-engine.js';
export type WorkerRequest =
  | { type: 'run'; runId: number; volume: Volume; labels: Uint8Array }
  | { type: 'run2d'; runId: number; source: Image2dSource };
export type WorkerReply =
  | { type: 'ready'; provider: string; fallbacks: Array<{ provider: string; message: string }> }
  | { type: 'initFailed'; message: string }
  | { type: 'done'; runId: number; timings: Awaited<ReturnType<typeof runPipeline>>; images?: ImageOutput[] }
  | { type: 'failed'; runId: number; code: string; message: string }
  | { type: 'event'; event: string; fields: Record<string, unknown> };

// Loaded on demand: a worker loads only its own engine's modules.
const engines: Record<BackendType, (init: WorkerInit, emit: EmitEvent) => Promise<PatchEngine>> = {
  onnxruntime: async (init) => (await import('./onnx-engine.js')).openOnnxEngine(init),
  'kserve-v2': async (init, emit) => (await import('./kserve/engine.js')).openKserveEngine(init, emit),
};

const port = parentPort!;
const init = workerData as WorkerInit;
const reply = (message: WorkerReply) => port.postMessage(message);

startWorker().catch((error: unknown) => reply({ type: 'initFailed', message: messageOf(error) }));

async function startWorker(): Promise<void> {
  const emit: EmitEvent = (event, fields) => reply({ type: 'event', event, fields });
  const { infer, tensor, provider, fallbacks } = await engines[backendType(init.manifest)](init, emit);
  // The JS thread is blocked while onnxruntime runs a patch, so the pool's cancel request is a shared flag read here.
  const cancellable: PatchInference = async (batch, size, spatial) => {
    if (Atomics.load(init.cancel, 0) !== 0) throw new InferenceError('MODEL_TIMEOUT',
      'run cancelled after its timeout');
    return infer(batch, size, spatial);
  };
  port.on('message', (request: WorkerRequest) => {
    const run = request.type === 'run'
      ? runPipeline(init.manifest, request.volume, cancellable, request.labels).then((timings) => ({ timings }))
      : runImages(init.manifest, request.source, tensor);
    run
      .then((done) => reply({ type: 'done', runId: request.runId, ...done }))
      .catch((error: unknown) => reply({
        type: 'failed', runId: request.runId,
        code: error instanceof InferenceError ? error.code : 'MODEL_RUN_FAILED', message: messageOf(error),
      }));
  });
  reply({ type: 'ready', provider, fallbacks });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
