// Opens a registered model's backend (model-backend.ts): the in-process onnxruntime worker pool or a remote
// KServe v2 server. The manifest's backend picks the implementation here and nowhere else.
import { KserveBackend } from './kserve/remote-backend.js';
import type { ModelManifest } from './manifest.js';
import type { BackendStatus, ModelBackend } from './model-backend.js';
import type { BackendType } from './patch-engine.js';
import type { Volume } from './volume/types.js';
import type { Image2dSource } from './image2d/run.js';
import { ModelWorkerPool } from './worker-pool.js';
import type { InferLogger } from './worker-slot.js';

/** The in-process pool is a backend as it is. */
class InProcessBackend implements ModelBackend {
  constructor(readonly pool: ModelWorkerPool) {}
  get provider() { return this.pool.provider; }
  async start() { await this.pool.start(); }
  run(volume: Volume, labels: Uint8Array, timeoutMs?: number) { return this.pool.run(volume, labels, timeoutMs); }
  warm() { this.pool.warm(); }
  run2d(source: Image2dSource, timeoutMs?: number) { return this.pool.run2d(source, timeoutMs); }
  status(): BackendStatus { return { type: 'onnxruntime', state: 'ready' }; }
  close() { return this.pool.close(); }
}

const backends: Record<BackendType, (modelPath: string, manifest: ModelManifest, log: InferLogger) => ModelBackend> = {
  onnxruntime: (modelPath, manifest, log) => new InProcessBackend(new ModelWorkerPool(modelPath, manifest, log)),
  'kserve-v2': (modelPath, manifest, log) =>
    new KserveBackend(new ModelWorkerPool(modelPath, manifest, log), manifest, log),
};

export type { BackendStatus, ModelBackend } from './model-backend.js';

export function openBackend(modelPath: string, manifest: ModelManifest, log: InferLogger): ModelBackend {
  return backends[manifest.backend?.type ?? 'onnxruntime'](modelPath, manifest, log);
}
