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

// HTTP/REST (inference_rest.md, binary tensor data extension)

async function handleHttp(ctx: Context, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (ctx.switches.down) return void req.socket.destroy();
  const url = new URL(req.url ?? '/', 'http://x');
  const send = (status: number, body: object) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  const model = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?$/.exec(url.pathname);
  if (req.method === 'GET' && url.pathname === '/v2/health/ready') {
    ctx.counts.ready++;
    return ctx.switches.serverNotReady ? send(503, { ready: false }) : send(200, { ready: true });
  }
  if (req.method === 'GET' && url.pathname === '/v2') return send(200,
    { name: 'kserve-test-server', version: '0', extensions: ['binary_tensor_data'] });
  if (!model) return send(404, { error: `no route ${req.method} ${url.pathname}` });
  const [, name, version, action] = model;
  if (decodeURIComponent(name) !== ctx.opts.modelName || (version && version !== (ctx.opts.version ?? '1'))) {
    return send(404, { error: `Request for unknown model: '${name}' is not found` });
  }
  if (req.method === 'GET' && action === '/ready') {
    ctx.counts.ready++;
    return send(200, { name, ready: !ctx.switches.modelNotReady });
  }
  if (req.method === 'GET' && !action) {
    ctx.counts.metadata++;
    return send(200, ctx.metadata);
  }
  if (req.method !== 'POST' || action !== '/infer') return send(405, { error: 'method not allowed' });
  const body = await readBody(req);
  ctx.counts.infer++;
  if (ctx.switches.slowMs) await new Promise((resolve) => setTimeout(resolve, ctx.switches.slowMs));
  if (ctx.switches.fail500) return send(500, { error: 'injected failure' });
  if (ctx.switches.modelNotReady) return send(400, { error: `model '${name}' is not ready` });
  try {
    const { inputs, outputs, binaryByDefault } = parseInferRequest(body,
      req.headers['inference-header-content-length']);
    ctx.counts.batchSizes.push(inputs[0]?.shape[0] ?? 0);
    const results = await ctx.infer(inputs, outputs.map((o) => o.name));
    const binary = (name: string) => outputs.find((o) => o.name === name)?.parameters?.binary_data ?? binaryByDefault;
    const json = {
      model_name: name, model_version: ctx.opts.version ?? '1',
      outputs: results.map((t) => ({
        name: t.name, datatype: t.datatype, shape: t.shape,
        ...(binary(t.name) ? { parameters: { binary_data_size: t.bytes.byteLength } } : { data: jsonValues(t) }),
      })),
    };
    const header = Buffer.from(JSON.stringify(json));
    const parts = [header, ...results.filter((t) => binary(t.name)).map((t) => t.bytes)];
    const anyBinary = parts.length > 1;
    res.writeHead(200, {
      'content-type': anyBinary ? 'application/octet-stream' : 'application/json',
      ...(anyBinary ? { 'inference-header-content-length': header.byteLength } : {}),
      'content-length': parts.reduce((n, p) => n + p.byteLength, 0),
    });
    for (const p of parts) res.write(p);
    res.end();
  } catch (error) {
    send(400, { error: (error as Error).message });
  }
}

interface RequestOutput { name: string; parameters?: { binary_data?: boolean } }

/** The JSON object first (all of the body, or Inference-Header-Content-Length bytes), then binary inputs in order. */
function parseInferRequest(body: Buffer, headerLength: string | string[] | undefined) {
  const jsonLength = headerLength === undefined ? body.byteLength : Number(headerLength);
  const request = JSON.parse(body.subarray(0, jsonLength).toString('utf8')) as {
    inputs: Array<{ name: string; datatype: string; shape: number[]; parameters?: { binary_data_size?: number };
      data?: unknown[] }>;
    outputs?: RequestOutput[]; parameters?: { binary_data_output?: boolean };
  };
  let offset = jsonLength;
  const inputs = request.inputs.map((i): Tensor => {
    const size = i.parameters?.binary_data_size;
    if (size === undefined)
      return { name: i.name, datatype: i.datatype, shape: i.shape, bytes: bytesFromData(i.datatype, i.data ?? []) };
    const bytes = body.subarray(offset, offset + size);
    offset += size;
    if (bytes.byteLength !== size) throw new Error(`input ${i.name}: binary_data_size ${size} runs past the body`);
    return { name: i.name, datatype: i.datatype, shape: i.shape, bytes };
  });
  return { inputs, outputs: request.outputs ?? [], binaryByDefault: request.parameters?.binary_data_output ?? false };
}

function bytesFromData(datatype: string, data: unknown[]): Buffer {
  const flat = data.flat(Infinity) as number[];
  if (datatype === 'FP32') return Buffer.from(Float32Array.from(flat).buffer);
  if (datatype === 'INT32') return Buffer.from(Int32Array.from(flat).buffer);
  return Buffer.from(Uint8Array.from(flat).buffer);
}

function jsonValues(t: Tensor): number[] {
  const copy = new Uint8Array(t.bytes).buffer;
  return Array.from(t.datatype === 'FP32' ? new Float32Array(copy) : new Uint8Array(copy));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
