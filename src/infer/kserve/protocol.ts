// The Open Inference Protocol as this node sees it: tensors on the wire, model metadata, and the thin client interface
// both transports (http-client.ts, grpc-client.ts) implement.
import type { RemoteBackend } from '../manifest.js';

/** A tensor as the protocol carries it: a datatype name ("FP32"), a shape and raw little-endian row-major bytes. */
export interface WireTensor { name: string; datatype: string; shape: number[]; data: Uint8Array }
export interface TensorMetadata { name: string; datatype: string; shape: number[] }
export interface ModelMetadata {
  name: string; versions?: string[]; platform?: string; inputs: TensorMetadata[]; outputs: TensorMetadata[];
}

/** Every method rejects with a RemoteFailure (coded, transient or not). */
export interface KserveClient {
  serverReady(): Promise<boolean>;
  modelReady(): Promise<boolean>;
  modelMetadata(): Promise<ModelMetadata>;
  /** Sends `inputs` and asks for `outputs`; resolves with them as raw bytes, in the order asked. */
  infer(inputs: WireTensor[], outputs: string[]): Promise<WireTensor[]>;
  close(): void;
}

/** Readiness and metadata calls are small: they get at most 10 s even when inference may take minutes. */
export const checkTimeoutMs = (settings: RemoteBackend) => Math.min(settings.timeoutMs, 10_000);
