// The remote patch engine: each batch of patches (or the whole volume) is one KServe v2 inference request, sent
// from the inference worker so (de)serialising volumes never blocks the node's event loop; transient failures
// are retried (inference is idempotent).
import { InferenceError } from '../errors.js';
import type { EmitEvent, PatchEngine, TensorInference, WorkerInit } from '../patch-engine.js';
import type { PatchInference } from '../sliding-window.js';
import { openKserveClient } from './client.js';
import { RemoteFailure, withRetries } from './failures.js';
import { bytesOf, DATATYPE_OF, elementCount, toFloat32 } from './tensors.js';

export const DEFAULT_RETRIES = 2;

export async function openKserveEngine(init: WorkerInit, emit: EmitEvent): Promise<PatchEngine> {
  const settings = init.manifest.backend;
  if (!settings) throw new InferenceError('MANIFEST_INVALID', 'a remote engine needs the manifest\'s backend');
  const client = openKserveClient(settings);
  const input = init.manifest.inputs[0];
  const output = init.manifest.outputs[0];
  const policy = { retries: settings.retries ?? DEFAULT_RETRIES, baseDelayMs: 250, maxDelayMs: 4_000 };
  const infer: PatchInference = async (batch, batchSize, spatial) => {
    const shape = [batchSize, 1, ...spatial];
    const [result] = await withRetries(policy, () => client.infer(
      [{ name: input.name, datatype: DATATYPE_OF[input.dtype], shape, data: bytesOf(batch) }], [output.name],
    ), (attempt, failure) => emit('model.remote.retry', { attempt, code: failure.code, reason: failure.message }));
    return checkedOutput(result, batchSize, spatial);
  };
  // The 2D path sends its batch of images as one request and takes the output tensor whole.
  const tensor: TensorInference = async (data, dims) => {
    const [result] = await withRetries(policy, () => client.infer(
      [{ name: input.name, datatype: DATATYPE_OF[input.dtype], shape: dims, data: bytesOf(data) }], [output.name],
    ), (attempt, failure) => emit('model.remote.retry', { attempt, code: failure.code, reason: failure.message }));
    const shape = result.shape.map(Number);
    let values: Float32Array;
    try {
      values = toFloat32(result.datatype, result.data);
    } catch (error) {
      throw new RemoteFailure('KSERVE_BAD_RESPONSE', `output "${result.name}" ${(error as Error).message}`, false);
    }
    if (values.length !== elementCount(shape) || shape[0] !== dims[0]) {
      throw new RemoteFailure('KSERVE_BAD_RESPONSE',
        `output "${result.name}" has shape [${shape.join(', ')}] and ${values.length} values`, false);
    }
    return { data: values, dims: shape };
  };
  return { infer, tensor, provider: 'kserve-v2', fallbacks: [] };
}

/** [B, C, spatial…] with the batch and patch size sent, and as many bytes as its shape and datatype say. */
function checkedOutput(t: { name: string; datatype: string; shape: number[]; data: Uint8Array }, batchSize: number,
  spatial: number[]) {
  const bad = (why: string) => new RemoteFailure('KSERVE_BAD_RESPONSE', `output "${t.name}" ${why}`, false);
  const shape = t.shape.map(Number);
  if (shape.length !== 5 || shape[0] !== batchSize || spatial.some((n, i) => shape[i + 2] !== n)) {
    throw bad(`has shape [${shape.join(', ')}], expected [${batchSize}, C, ${spatial.join(', ')}]`);
  }
  let data: Float32Array;
  try {
    data = toFloat32(t.datatype, t.data);
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (data.length !== elementCount(shape)) throw bad(
    `has ${data.length} values, its shape needs ${elementCount(shape)}`);
  return { data, channels: shape[1] };
}
