// Coded errors of the inference stage: every failure a caller can see carries one of these codes.

export type InferenceErrorCode =
  | 'MODEL_NOT_FOUND'        // no model with that id in models/
  | 'MODEL_NOT_READY'        // the model was refused at startup, or its remote server/model is not ready now
  | 'KSERVE_UNAVAILABLE'     // the KServe v2 server cannot be reached or answered 408/429/5xx, on every attempt
  | 'KSERVE_TIMEOUT'         // a KServe v2 request outlived backend.timeoutMs, on every attempt
  | 'KSERVE_CIRCUIT_OPEN'    // refused at once: the last runs on this server failed, it rests for a cool-down
  | 'KSERVE_REJECTED'        // the server refused the request itself (other 4xx, gRPC INVALID_ARGUMENT…): no retry
  | 'KSERVE_BAD_RESPONSE'    // the server's answer is malformed: missing output, wrong datatype, shape or size
  | 'MANIFEST_INVALID'       // model.json is not valid JSON or breaks the schema
  | 'MODEL_SHA256_MISMATCH'  // model.onnx is not the file the manifest names
  | 'MODEL_IO_MISMATCH'      // the ONNX graph's inputs/outputs differ from the manifest
  | 'MODEL_LOAD_FAILED'      // onnxruntime could not create a session on any listed provider
  | 'MODEL_TIMEOUT'          // a run took longer than the manifest's timeoutMs; its worker is retired
  | 'MODEL_RUN_FAILED'       // onnxruntime or pre/post-processing failed for this volume
  | 'INVALID_VOLUME'         // the volume's dims, spacing, affine or data do not agree
  | 'WORKER_EXITED'          // the worker thread died during a run
  | 'REGISTRY_CLOSED';       // shutdown() was called

export class InferenceError extends Error {
  constructor(readonly code: InferenceErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'InferenceError';
  }
}
