// Worker thread that owns one onnxruntime session and runs the whole model pipeline off the main event loop.
// Started by worker-pool.ts; volumes and label maps arrive as views on SharedArrayBuffers, so nothing large is copied.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { InferenceError } from './errors.js';
import type { ModelManifest } from './manifest.js';
import { runPipeline } from './pipeline.js';
import type { PatchInference } from './sliding-window.js';
import type { Volume } from './volume/types.js';

export interface WorkerInit { modelPath: string; manifest: ModelManifest; intraOpNumThreads: number }
export type WorkerRequest = { type: 'run'; runId: number; volume: Volume; labels: Uint8Array };
export type WorkerReply =
  | { type: 'ready'; provider: string; fallbacks: Array<{ provider: string; message: string }> }
  | { type: 'initFailed'; message: string }
  | { type: 'done'; runId: number; timings: Awaited<ReturnType<typeof runPipeline>> }
  | { type: 'failed'; runId: number; code: string; message: string };

const port = parentPort!;
const init = workerData as WorkerInit;
const reply = (message: WorkerReply) => port.postMessage(message);

startWorker().catch((error: unknown) => reply({ type: 'initFailed', message: messageOf(error) }));

async function startWorker(): Promise<void> {
  const { session, provider, fallbacks } = await createSession(init);
  const infer = patchInference(session, init.manifest);
  port.on('message', (request: WorkerRequest) => {
    runPipeline(init.manifest, request.volume, infer, request.labels)
      .then((timings) => reply({ type: 'done', runId: request.runId, timings }))
      .catch((error: unknown) => reply({
        type: 'failed', runId: request.runId,
        code: error instanceof InferenceError ? error.code : 'MODEL_RUN_FAILED', message: messageOf(error),
      }));
  });
  reply({ type: 'ready', provider, fallbacks });
}

/** Tries the manifest's providers in order: a missing CUDA library is a hard error at creation, not a silent fallback. */
async function createSession(config: WorkerInit) {
  // onnxruntime's native logger would print the expected CUDA load failure in red on stderr; the
  // fallback is reported once, as a structured model.provider.fallback event, by the pool instead.
  ort.env.logLevel = 'fatal';
  const fallbacks: Array<{ provider: string; message: string }> = [];
  for (const provider of config.manifest.executionProviders) {
    try {
      const session = await ort.InferenceSession.create(config.modelPath, {
        executionProviders: [provider], intraOpNumThreads: config.intraOpNumThreads, interOpNumThreads: 1,
        graphOptimizationLevel: 'all', executionMode: 'sequential', logSeverityLevel: 3,
      });
      return { session, provider, fallbacks };
    } catch (error) {
      fallbacks.push({ provider, message: messageOf(error).slice(0, 300) });
    }
  }
  throw new Error(`no execution provider could open the model: ${fallbacks.map((f) => `${f.provider}: ${f.message}`).join('; ')}`);
}

function patchInference(session: ort.InferenceSession, manifest: ModelManifest): PatchInference {
  const inputName = manifest.inputs[0].name;
  const outputName = manifest.outputs[0].name;
  return async (batch, batchSize, spatial) => {
    const input = new ort.Tensor('float32', batch, [batchSize, 1, ...spatial]);
    const results = await session.run({ [inputName]: input });
    const output = results[outputName];
    const data = output.data instanceof Float32Array ? output.data : Float32Array.from(output.data as ArrayLike<number | bigint>, Number);
    const channels = output.dims.length === 5 ? output.dims[1] : 1;
    for (const name of Object.keys(results)) if (name !== outputName) results[name].dispose();
    return { data, channels };
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
