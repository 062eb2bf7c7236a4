// Remote against in-process inference (npm run bench:remote): ct-body-lung on a 300×512² CT, in-process and through
// a KServe v2 server over loopback HTTP (binary extension) and gRPC. The server is the test stand-in
// (test/support/kserve-server.ts, onnxruntime-node on the CPU) in a child process, with as many threads as the
// in-process session; "overhead" is what the client saw minus the server's own model time, so transport and
// (de)serialisation only. Target: overhead ≤ 10 % of model time over loopback HTTP.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelRegistry, runModel, shutdown } from '../src/infer/index.js';
import type { ModelManifest } from '../src/infer/manifest.js';
import type { Volume } from '../src/infer/volume/types.js';
import { projectRoot } from '../src/paths.js';
import { phantomHu } from '../src/synthetic/index.js';
import { startKserveServer } from '../test/support/kserve-server.js';

const MODEL = 'ct-body-lung';
const onnxPath = path.join(projectRoot, 'models', MODEL, 'model.onnx');
const threads = Math.max(1, os.availableParallelism()); // what the in-process pool gives one session (maxConcurrent 1)

interface ServerInfo { httpUrl: string; grpcUrl: string }
type ServerReply = { type: 'ready'; info: ServerInfo } | { type: 'modelMs'; values: number[] };

async function main(): Promise<void> {
  if (process.argv[2] === 'server') return serve();
  const { child, info } = await startServerProcess();
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-remote-'));
  try {
    const manifest =
      JSON.parse(fs.readFileSync(path.join(projectRoot, 'models', MODEL, 'model.json'), 'utf8')) as ModelManifest;
    const write = (id: string, backend?: ModelManifest['backend']) => {
      fs.mkdirSync(path.join(modelsDir, id));
      fs.writeFileSync(path.join(modelsDir, id, 'model.json'),
        JSON.stringify({ ...manifest, id, intraOpNumThreads: threads, ...(backend ? { backend } : {}) }));
      if (!backend) fs.symlinkSync(onnxPath, path.join(modelsDir, id, 'model.onnx'));
    };
    const remote = (protocol: 'http' | 'grpc') => ({ type: 'kserve-v2' as const,
      url: protocol === 'http' ? info.httpUrl : info.grpcUrl, model: MODEL, protocol, timeoutMs: 600_000 });
    write('in-process');
    write('http', remote('http'));
    write('grpc', remote('grpc'));
    const registry = await loadModelRegistry(modelsDir);
    try {
      await report(registry, child);
    } finally {
      await shutdown(registry);
    }
  } finally {
    child.kill();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  }
}

async function report(registry: Awaited<ReturnType<typeof loadModelRegistry>>, server: ChildProcess): Promise<void> {
  const dims: [number, number, number] = [512, 512, 300];
  const volume = phantomVolume(dims, [0.7, 0.7, 1]);
  console.log(`remote inference benchmark: ${MODEL} on a ${dims.join('×')} CT, ${threads} onnxruntime threads each side (shared machine: figures vary)`);
  await runModel(registry, 'in-process', phantomVolume([128, 128, 64], [2.8, 2.8, 4.7])); // warm-up of both paths
  await runModel(registry, 'http', phantomVolume([128, 128, 64], [2.8, 2.8, 4.7]));
  await serverModelMs(server);
  // Two interleaved rounds; each path's faster run counts (the machine is shared, the first large run allocates).
  const best = new Map<string, { run: Awaited<ReturnType<typeof runModel>>; serverMs: number }>();
  for (let round = 0; round < 2; round++) {
    for (const id of ['in-process', 'http', 'grpc']) {
      const run = await runModel(registry, id, volume);
      const serverMs = (await serverModelMs(server)).reduce((a, b) => a + b, 0);
      if (!best.has(id) || run.timings.totalMs < best.get(id)!.run.timings.totalMs) best.set(id, { run, serverMs });
    }
  }
  const local = best.get('in-process')!.run;
  console.log(
    `  in-process : model ${local.timings.inferenceMs.toFixed(0)} ms, total ${local.timings.totalMs.toFixed(0)} ms`);
  for (const id of ['http', 'grpc']) {
    const { run, serverMs } = best.get(id)!;
    const overhead = run.timings.inferenceMs - serverMs;
    const same = Buffer.compare(Buffer.from(run.labels), Buffer.from(local.labels)) === 0;
    console.log(`  ${id.padEnd(11)}: request ${run.timings.inferenceMs.toFixed(0)} ms of which server model ${serverMs.toFixed(0)} ms; `
      + `overhead ${overhead.toFixed(0)} ms = ${((100 * overhead) / serverMs).toFixed(1)} % of model time (target ≤ 10 % over HTTP); `
      + `total ${run.timings.totalMs.toFixed(0)} ms = ${(run.timings.totalMs / local.timings.totalMs).toFixed(2)}× in-process; labels ${same ? 'identical' : 'DIFFER'}`);
  }
}

/** The server process's model times since the last call. */
function serverModelMs(child: ChildProcess): Promise<number[]> {
  return new Promise((resolve) => {
    child.once('message', (m: ServerReply) => resolve(m.type === 'modelMs' ? m.values : []));
    child.send('modelMs');
  });
}

async function startServerProcess(): Promise<{ child: ChildProcess; info: ServerInfo }> {
  const child = fork(fileURLToPath(import.meta.url), ['server'], { stdio: 'inherit' });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('message',
      (m: ServerReply) => (m.type === 'ready' ? resolve(m.info) : reject(new Error('unexpected reply'))));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return { child, info };
}

async function serve(): Promise<void> {
  const server = await startKserveServer({ modelPath: onnxPath, modelName: MODEL, threads });
  process.on('message',
    () => process.send!({ type: 'modelMs', values: server.counts.modelMs.splice(0) } satisfies ServerReply));
  process.send!({ type: 'ready', info: { httpUrl: server.httpUrl, grpcUrl: server.grpcUrl } } satisfies ServerReply);
}

function phantomVolume(dims: [number, number, number], spacing: [number, number, number]): Volume {
  const phantom = phantomHu({ columns: dims[0], rows: dims[1], slices: dims[2] });
  const data = new Float32Array(new SharedArrayBuffer(phantom.hu.length * 4));
  data.set(phantom.hu);
  return { dims, spacing, affine: [spacing[0], 0, 0, 0, 0, spacing[1], 0, 0, 0, 0, spacing[2], 0, 0, 0, 0, 1], data };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
