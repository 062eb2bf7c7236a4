// The interface every place a model can run implements (in-process pool, KServe v2 server), and its status.
import type { BackendType } from './patch-engine.js';
import type { StageTimings } from './pipeline.js';
import type { Volume } from './volume/types.js';
import type { Image2dSource, ImageOutput } from './image2d/run.js';

/** What GET /api/models shows of a model's backend. */
export interface BackendStatus {
  type: BackendType;
  /** ready: runs are accepted; the others refuse runs with MODEL_NOT_READY (mismatch: MODEL_IO_MISMATCH). */
  state: 'ready' | 'not-ready' | 'unreachable' | 'mismatch';
  reason?: string;
  protocol?: 'http' | 'grpc';
  url?: string;
  model?: string;
  version?: string;
  checkedAt?: string;
  circuit?: 'closed' | 'open';
}

export interface ModelBackend {
  /** The execution provider ("cpu", "cuda") or "kserve-v2". */
  readonly provider: string;
  /** Rejects with MODEL_LOAD_FAILED when an in-process model cannot open; a remote one starts even if its server is
   *  down. */
  start(): Promise<void>;
  /** Fills `labels` with the model's labels on the source grid; rejects with a coded InferenceError. */
  run(volume: Volume, labels: Uint8Array, timeoutMs?: number): Promise<StageTimings>;
  /** Starts a worker ahead of run() (workers start with the first job, not at boot). */
  warm(): void;
  /** Runs a 2D model on each image of `source`; one output per image, in source order. */
  run2d(source: Image2dSource, timeoutMs?: number): Promise<{ images: ImageOutput[]; timings: StageTimings }>;
  status(): BackendStatus;
  close(): Promise<void>;
}
