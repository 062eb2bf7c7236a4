// Is the remote server ready, is the model ready, and does its metadata agree with the manifest's tensors?
// Asked at start-up and then periodically; the answer decides whether runs are accepted.
import type { ModelManifest, TensorSpec } from '../manifest.js';
import { RemoteFailure } from './failures.js';
import type { KserveClient, TensorMetadata } from './protocol.js';
import { DATATYPE_OF } from './tensors.js';

export type Readiness =
  | { state: 'ready' }
  | { state: 'not-ready' | 'unreachable' | 'mismatch'; reason: string };

export async function checkReadiness(client: KserveClient, manifest: ModelManifest): Promise<Readiness> {
  const backend = manifest.backend!;
  const model = `model "${backend.model}"${backend.version ? ` version ${backend.version}` : ''}`;
  try {
    if (!(await client.serverReady()))
      return { state: 'not-ready', reason: `the server at ${backend.url} is not ready` };
    if (!(await client.modelReady())) return { state: 'not-ready', reason: `${model} is not ready on ${backend.url}` };
    const metadata = await client.modelMetadata();
    const problems = [
      ...compareTensors('inputs', manifest.inputs, metadata.inputs ?? []),
      ...compareTensors('outputs', manifest.outputs, metadata.outputs ?? []),
    ];
    if (problems.length) return { state: 'mismatch', reason: `${model} on ${backend.url}: ${problems.join('; ')}` };
    return { state: 'ready' };
  } catch (error) {
    const failure = error as RemoteFailure;
    if (failure instanceof RemoteFailure && !failure.transient)
      return { state: 'not-ready', reason: `${model}: ${failure.message}` };
    return { state: 'unreachable', reason: failure.message ?? String(error) };
  }
}

/** Each manifest tensor must be on the server with the same datatype and rank; fixed sizes must agree (-1 is free). */
export function compareTensors(where: string, declared: TensorSpec[], actual: TensorMetadata[]): string[] {
  const problems: string[] = [];
  declared.forEach((spec, n) => {
    const found = actual.find((a) => a.name === spec.name);
    const at = `/${where}/${n}`;
    if (!found) return problems.push(
      `${at}/name: "${spec.name}" is not on the server (it has ${actual.map((a) => `"${a.name}"`).join(', ')})`);
    if (found.datatype !== DATATYPE_OF[spec.dtype]) problems.push(
      `${at}/dtype: manifest ${spec.dtype}, server ${found.datatype}`);
    const shape = found.shape.map(Number);
    if (shape.length !== spec.shape.length) return problems.push(
      `${at}/shape: manifest rank ${spec.shape.length}, server rank ${shape.length}`);
    spec.shape.forEach((d, axis) => {
      if (typeof d === 'number' && shape[axis] > 0 && shape[axis] !== d) problems.push(
        `${at}/shape/${axis}: manifest ${d}, server ${shape[axis]}`);
    });
  });
  return problems;
}
