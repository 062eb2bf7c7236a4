// A small KServe v2 / Open Inference Protocol server for tests and benchmarks, written from the specification
// (REST: inference_rest.md + the binary tensor data extension; gRPC: inference.GRPCInferenceService), not from
// the node's client. It serves one ONNX model through onnxruntime-node over HTTP and gRPC, and has switches to
// be down, slow, fail with 500 / INTERNAL, or report the server or the model not ready. No Triton runs in CI:
// this stands in for it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import * as ort from 'onnxruntime-node';
import { grpcHandlers, grpcService } from './kserve-server-grpc.js';
import { handleHttp } from './kserve-server-http.js';

export interface ServerSwitches {
  /** HTTP: connections are cut at once; gRPC: UNAVAILABLE (what a proxy says when its backend is gone). */
  down: boolean;
  /** Inference answers this many ms late (0: at once). */
  slowMs: number;
  /** Inference fails with HTTP 500 / gRPC INTERNAL. */
  fail500: boolean;
  serverNotReady: boolean;
  modelNotReady: boolean;
}

export interface KserveTestServer {
  httpUrl: string;
  grpcUrl: string;
  modelName: string;
  switches: ServerSwitches;
  /** Requests received, by kind (infer counts every attempt, also refused ones); modelMs: each onnxruntime run. */
  counts: { infer: number; ready: number; metadata: number; batchSizes: number[]; modelMs: number[] };
  close(): Promise<void>;
}

const DATATYPES: Record<string, string> = { float32: 'FP32', uint8: 'UINT8', int8: 'INT8',
  int32: 'INT32', int64: 'INT64', bool: 'BOOL' };
const ORT_TYPES: Record<string, 'float32' | 'uint8' | 'int32'> = { FP32: 'float32', UINT8: 'uint8', INT32: 'int32' };

export interface Tensor { name: string; datatype: string; shape: number[]; bytes: Buffer }

export async function startKserveServer(opts: { modelPath: string; modelName: string; version?: string;
  threads?: number }): Promise<KserveTestServer> {
  const session = await ort.InferenceSession.create(opts.modelPath,
    { intraOpNumThreads: opts.threads ?? 1, executionProviders: ['cpu'] });
  const switches: ServerSwitches =
    { down: false, slowMs: 0, fail500: false, serverNotReady: false, modelNotReady: false };
  const counts = { infer: 0, ready: 0, metadata: 0, batchSizes: [] as number[], modelMs: [] as number[] };
  const metadata = {
    name: opts.modelName, versions: [opts.version ?? '1'], platform: 'onnxruntime_onnx',
    inputs: session.inputMetadata.map(tensorMetadata), outputs: session.outputMetadata.map(tensorMetadata),
  };
  // One run at a time, as one model instance on a GPU would.
  let queue: Promise<unknown> = Promise.resolve();
  const infer = (inputs: Tensor[], wanted: string[]): Promise<Tensor[]> => {
    const run = queue.then(async () => {
      const started = performance.now();
      try { return await runModel(session, inputs, wanted); }
      finally { counts.modelMs.push(performance.now() - started); }
    });
    queue = run.catch(() => {});
    return run;
  };
  const context = { opts, switches, counts, metadata, infer };
  const httpServer = http.createServer((req, res) => void handleHttp(context, req, res));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const grpcServer = new grpc.Server({ 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 });
  grpcServer.addService(grpcService(), grpcHandlers(context));
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(),
    (error, port) => (error ? reject(error) : resolve(port))));
  return {
    httpUrl: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, grpcUrl: `127.0.0.1:${grpcPort}`,
    modelName: opts.modelName, switches, counts,
    async close() {
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
      grpcServer.forceShutdown();
      await session.release();
    },
  };
}

export type Context = { opts: { modelName: string; version?: string }; switches: ServerSwitches;
  counts: KserveTestServer['counts'];
  metadata: object; infer: (inputs: Tensor[], wanted: string[]) => Promise<Tensor[]> };

function tensorMetadata(m: ort.InferenceSession.ValueMetadata) {
  const t = m as unknown as { name: string; type: string; shape: ReadonlyArray<number | string> };
  return { name: t.name, datatype: DATATYPES[t.type] ?? t.type.toUpperCase(),
    shape: t.shape.map((d) => (typeof d === 'number' ? d : -1)) };
}

async function runModel(session: ort.InferenceSession, inputs: Tensor[], wanted: string[]): Promise<Tensor[]> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const t of inputs) {
    const type = ORT_TYPES[t.datatype];
    if (!type) throw new Error(`datatype ${t.datatype} is not served here`);
    const copy = new Uint8Array(t.bytes).buffer; // aligned for the typed array
    const data = type === 'float32' ? new Float32Array(copy)
      : type === 'int32' ? new Int32Array(copy) : new Uint8Array(copy);
    feeds[t.name] = new ort.Tensor(type, data, t.shape);
  }
  const results = await session.run(feeds);
  const names = wanted.length ? wanted : session.outputNames;
  return names.map((name) => {
    const out = results[name];
    if (!out) throw new Error(`unknown output "${name}"`);
    const data = out.data as Float32Array | Uint8Array;
    return { name, datatype: DATATYPES[out.type], shape: [...out.dims],
      bytes: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  });
}
