// KServe v2 over gRPC (inference.GRPCInferenceService) on @grpc/grpc-js: tensors travel as raw_input_contents /
// raw_output_contents, with the message size limit lifted so a whole CT volume fits in one message.
import * as grpc from '@grpc/grpc-js';
import type { RemoteBackend } from '../manifest.js';
import { checkTimeoutMs, type KserveClient, type ModelMetadata, type WireTensor } from './protocol.js';
import { grpcStatusFailure, RemoteFailure } from './failures.js';
import { inferenceService, CHANNEL_OPTIONS } from './grpc-service.js';
import { bytesFromJson } from './tensors.js';

type Unary = (request: object, options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, reply: any) => void) => void;

interface OutputTensor { name: string; datatype: string; shape: number[]; contents?: Record<string, unknown[]> | null }

export class GrpcKserveClient implements KserveClient {
  private readonly client: grpc.Client;
  private readonly target: string;

  constructor(private readonly settings: RemoteBackend) {
    const secure = settings.url.startsWith('https://');
    this.target = settings.url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    const Service = inferenceService();
    this.client = new Service(this.target, secure ? grpc.credentials.createSsl() : grpc.credentials.createInsecure(),
      CHANNEL_OPTIONS);
  }

  async serverReady(): Promise<boolean> {
    return ((await this.call('ServerReady', {}, checkTimeoutMs(this.settings))) as { ready: boolean }).ready;
  }

  async modelReady(): Promise<boolean> {
    const reply = await this.call('ModelReady', this.modelRef(), checkTimeoutMs(this.settings));
    return (reply as { ready: boolean }).ready;
  }

  async modelMetadata(): Promise<ModelMetadata> {
    return (await this.call('ModelMetadata', this.modelRef(), checkTimeoutMs(this.settings))) as ModelMetadata;
  }

  async infer(inputs: WireTensor[], outputs: string[]): Promise<WireTensor[]> {
    const request = {
      model_name: this.settings.model, model_version: this.settings.version ?? '',
      inputs: inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape })),
      outputs: outputs.map((name) => ({ name })),
      raw_input_contents: inputs.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
    };
    type Reply = { outputs: OutputTensor[]; raw_output_contents: Buffer[] };
    const reply = (await this.call('ModelInfer', request, this.settings.timeoutMs)) as Reply;
    const got = reply.outputs.map((o, i): WireTensor => {
      const raw = reply.raw_output_contents[i];
      const data = raw ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : typedContents(o);
      return { name: o.name, datatype: o.datatype, shape: o.shape.map(Number), data };
    });
    return outputs.map((name) => {
      const found = got.find((t) => t.name === name);
      if (!found) throw new RemoteFailure('KSERVE_BAD_RESPONSE',
        `output "${name}" is missing from the response`, false);
      return found;
    });
  }

  close(): void {
    this.client.close();
  }

  private modelRef() {
    return { name: this.settings.model, version: this.settings.version ?? '' };
  }

  private call(method: string, request: object, timeoutMs: number): Promise<unknown> {
    const rpc = (this.client as unknown as Record<string, Unary>)[method].bind(this.client);
    return new Promise((resolve, reject) => {
      rpc(request, { deadline: Date.now() + timeoutMs }, (error, reply) => {
        if (!error) return resolve(reply);
        const failure = grpcStatusFailure(error.code, error.details || error.message);
        if (error.code === grpc.status.DEADLINE_EXCEEDED) {
          failure.message = `KSERVE_TIMEOUT: no answer from ${this.target} within ${timeoutMs} ms`;
        }
        reject(failure);
      });
    });
  }
}

/** A server that answers with typed `contents` instead of raw bytes (allowed by the specification). */
function typedContents(o: OutputTensor): Uint8Array {
  const fields: Record<string, string> = {
    FP32: 'fp32_contents', FP64: 'fp64_contents', INT64: 'int64_contents', UINT64: 'uint64_contents',
    BOOL: 'bool_contents',
  };
  const field = fields[o.datatype] ?? (o.datatype.startsWith('UINT') ? 'uint_contents' : 'int_contents');
  const values = o.contents?.[field];
  if (!values) throw new RemoteFailure('KSERVE_BAD_RESPONSE',
    `output "${o.name}" has neither raw nor ${field} contents`, false);
  return bytesFromJson(o.datatype, values.map(Number));
}
