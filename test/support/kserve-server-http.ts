// The HTTP/REST half of the KServe v2 stand-in server (kserve-server.ts): inference_rest.md, binary tensor data.
import type http from 'node:http';
import type { Context, Tensor } from './kserve-server.js';

export async function handleHttp(ctx: Context, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
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
