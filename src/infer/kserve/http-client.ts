// KServe v2 over HTTP/REST: the binary tensor data extension for requests and responses (a JSON header, then raw
// bytes), with plain JSON tensors as the fallback for servers that lack the extension.
import type { RemoteBackend } from '../manifest.js';
import { checkTimeoutMs, type KserveClient, type ModelMetadata, type WireTensor } from './protocol.js';
import { httpStatusFailure, networkFailure, RemoteFailure } from './failures.js';
import { exchange, type Exchange } from './http-transport.js';
import { bytesFromJson, jsonFromBytes } from './tensors.js';

const HEADER_LENGTH = 'inference-header-content-length';

interface ResponseOutput { name: string; datatype: string; shape: number[]; parameters?: { binary_data_size?: number };
  data?: unknown }

export class HttpKserveClient implements KserveClient {
  private readonly base: string;
  private readonly modelPath: string;

  constructor(private readonly settings: RemoteBackend) {
    this.base = (/^https?:\/\//.test(settings.url) ? settings.url : `http://${settings.url}`).replace(/\/+$/, '');
    const version = settings.version ? `/versions/${encodeURIComponent(settings.version)}` : '';
    this.modelPath = `/v2/models/${encodeURIComponent(settings.model)}${version}`;
  }

  serverReady(): Promise<boolean> {
    return this.readyAt('/v2/health/ready');
  }

  modelReady(): Promise<boolean> {
    return this.readyAt(`${this.modelPath}/ready`);
  }

  async modelMetadata(): Promise<ModelMetadata> {
    const res = await this.request('GET', this.modelPath, checkTimeoutMs(this.settings));
    if (!ok(res)) throw httpStatusFailure(res.status, errorText(res));
    try { return JSON.parse(res.body.toString('utf8')) as ModelMetadata; } catch {
      throw new RemoteFailure('KSERVE_BAD_RESPONSE', 'the model metadata is not JSON', false);
    }
  }

  async infer(inputs: WireTensor[], outputs: string[]): Promise<WireTensor[]> {
    const binary = !this.settings.json;
    const header = {
      inputs: inputs.map((t) => ({
        name: t.name, datatype: t.datatype, shape: t.shape,
        ...(binary ? { parameters: { binary_data_size: t.data.byteLength } }
          : { data: jsonFromBytes(t.datatype, t.data) }),
      })),
      outputs: outputs.map((name) => ({ name, parameters: { binary_data: binary } })),
    };
    const json = Buffer.from(JSON.stringify(header));
    const body = binary ? [json, ...inputs.map((t) => t.data)] : [json];
    const headers: Record<string, string> = binary
      ? { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(json.byteLength) }
      : { 'content-type': 'application/json' };
    const res = await this.request('POST', `${this.modelPath}/infer`, this.settings.timeoutMs, body, headers);
    if (!ok(res)) throw httpStatusFailure(res.status, errorText(res));
    const headerLength = res.headers[HEADER_LENGTH];
    return orderedOutputs(
      parseInferResponse(res.body, typeof headerLength === 'string' ? headerLength : null), outputs);
  }

  close(): void {}

  /** Triton answers 200 or 400 with no body; KServe's servers may answer 200 with {"ready": false}. */
  private async readyAt(pathname: string): Promise<boolean> {
    const res = await this.request('GET', pathname, checkTimeoutMs(this.settings));
    if (!ok(res)) return false;
    try {
      return (JSON.parse(res.body.toString('utf8')) as { ready?: unknown }).ready !== false;
    } catch { return true; }
  }

  private async request(method: string, pathname: string, timeoutMs: number, body?: Uint8Array[],
    headers?: Record<string, string>) {
    try {
      return await exchange(`${this.base}${pathname}`, { method, body, headers, timeoutMs });
    } catch (error) {
      throw networkFailure(error, timeoutMs, this.base);
    }
  }
}

/** The JSON part (Inference-Header-Content-Length bytes, or all of it) then each binary output's bytes in order. */
export function parseInferResponse(bytes: Uint8Array, headerLength: string | null): WireTensor[] {
  const jsonLength = headerLength === null ? bytes.byteLength : Number(headerLength);
  if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > bytes.byteLength) {
    const why = `Inference-Header-Content-Length ${headerLength} does not fit a ${bytes.byteLength}-byte body`;
    throw new RemoteFailure('KSERVE_BAD_RESPONSE', why, false);
  }
  let parsed: { outputs?: ResponseOutput[]; error?: string };
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, jsonLength).toString('utf8'));
  } catch (error) {
    throw new RemoteFailure('KSERVE_BAD_RESPONSE',
      `the response header is not JSON: ${(error as Error).message}`, false);
  }
  if (!Array.isArray(parsed.outputs)) throw new RemoteFailure('KSERVE_BAD_RESPONSE',
    'the response has no "outputs"', false);
  let offset = jsonLength;
  return parsed.outputs.map((o) => {
    const size = o.parameters?.binary_data_size;
    if (size === undefined)
      return { name: o.name, datatype: o.datatype, shape: o.shape, data: bytesFromJson(o.datatype, o.data) };
    if (offset + size > bytes.byteLength) {
      throw new RemoteFailure('KSERVE_BAD_RESPONSE',
        `output ${o.name}: ${size} binary bytes announced, the body ends first`, false);
    }
    const data = bytes.subarray(offset, offset + size);
    offset += size;
    return { name: o.name, datatype: o.datatype, shape: o.shape, data };
  });
}

export function orderedOutputs(got: WireTensor[], wanted: string[]): WireTensor[] {
  return wanted.map((name) => {
    const found = got.find((t) => t.name === name);
    const has = got.map((t) => t.name).join(', ');
    if (!found) throw new RemoteFailure('KSERVE_BAD_RESPONSE',
      `output "${name}" is missing from the response (it has ${has})`, false);
    return found;
  });
}

const ok = (res: Exchange) => res.status >= 200 && res.status < 300;

function errorText(res: Exchange): string {
  const text = res.body.toString('utf8');
  try { return (JSON.parse(text) as { error?: string }).error ?? text; } catch { return text; }
}
