// `npm run check:kserve -- URL MODEL [--protocol http|grpc] [--version V] [--manifest models/<id>/model.json]`:
// a site's smoke test of its own Triton / KServe v2 server with the node's own client: server ready, model ready,
// metadata (against a manifest when given), and one inference on a synthetic CT-like input.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { openKserveClient } from '../infer/kserve/client.js';
import { DATATYPE_OF, bytesOf, elementCount } from '../infer/kserve/tensors.js';
import { compareTensors } from '../infer/kserve/readiness.js';
import type { ModelManifest, RemoteBackend } from '../infer/manifest.js';

type Say = (line: string) => void;

/** Resolves with the exit code: 0 when every step passed. */
export async function checkKserve(args: string[], say: Say = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const { positional, flags } = parseArgs(args);
  const [url, model] = positional;
  if (!url || !model) {
    say('usage: npm run check:kserve -- URL MODEL [--protocol http|grpc] [--version V] [--manifest models/<id>/model.json]');
    return 64;
  }
  const protocol = (flags.protocol ?? 'http') as RemoteBackend['protocol'];
  const settings: RemoteBackend = {
    type: 'kserve-v2', url, model, protocol, timeoutMs: Number(flags.timeout ?? 120_000), ...(
      flags.version ? { version: flags.version } : {}),
  };
  const client = openKserveClient(settings);
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    try {
      const value = await work();
      say(`ok   ${name}`);
      return value;
    } catch (error) {
      say(`FAIL ${name}: ${(error as Error).message}`);
      throw error;
    }
  };
  try {
    await step(`server ready (${protocol} ${url})`, async () => {
      if (!(await client.serverReady())) throw new Error('the server says it is not ready');
    });
    await step(`model "${model}"${settings.version ? ` version ${settings.version}` : ''} ready`, async () => {
      if (!(await client.modelReady())) throw new Error('the server says the model is not ready');
    });
    const metadata = await step('model metadata', () => client.modelMetadata());
    for (const t of [...metadata.inputs, ...metadata.outputs])
      say(`     ${t.name} ${t.datatype} [${t.shape.join(', ')}]`);
    if (flags.manifest) {
      const manifest = JSON.parse(fs.readFileSync(flags.manifest, 'utf8')) as ModelManifest;
      await step(`metadata agrees with ${flags.manifest}`, async () => {
        const problems = [
          ...compareTensors('inputs', manifest.inputs, metadata.inputs), ...compareTensors(
            'outputs', manifest.outputs, metadata.outputs),
        ];
        if (problems.length) throw new Error(problems.join('; '));
      });
    }
    const input = metadata.inputs[0];
    if (input?.datatype !== DATATYPE_OF.float32) throw new Error(
      `the first input must be FP32, it is ${input?.datatype}`);
    const shape = input.shape.map((d, axis) => (d > 0 ? d : axis < 2 ? 1 : 48)); // free spatial sizes: 48 voxels
    const data = syntheticCt(shape);
    const outputs = metadata.outputs.map((o) => o.name);
    const started = performance.now();
    const result = await step(`one inference on a synthetic input [${shape.join(', ')}]`, () => client.infer(
      [{ name: input.name, datatype: input.datatype, shape, data: bytesOf(data) }], outputs,
    ));
    const describe = (t: (typeof result)[number]) =>
      `${t.name} ${t.datatype} [${t.shape.join(', ')}] ${t.data.byteLength} bytes`;
    say(`     ${(performance.now() - started).toFixed(0)} ms; ${result.map(describe).join('; ')}`);
    for (const t of result) {
      const elements = elementCount(t.shape);
      if (!t.data.byteLength || (elements > 0 && t.data.byteLength % elements !== 0)) throw new Error(
        `output ${describe(t)} does not fit its shape`);
    }
    say('all checks passed');
    return 0;
  } catch {
    return 1;
  } finally {
    client.close();
  }
}

/** A CT-like block in HU: air outside, a soft-tissue cylinder along the last-but-two axis, two air-filled "lungs". */
function syntheticCt(shape: number[]): Float32Array {
  const [d, h, w] = shape.slice(-3);
  const out = new Float32Array(elementCount(shape)).fill(-1000);
  for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const u = (x - w / 2) / (w * 0.4), v = (y - h / 2) / (h * 0.3);
    if (u * u + v * v > 1) continue;
    const lung = Math.abs(Math.abs(u) - 0.45) < 0.3 && Math.abs(v) < 0.6;
    out[x + w * (y + h * z)] = lung ? -850 : 40;
  }
  return out;
}

function parseArgs(args: string[]) {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--')) flags[args[i].slice(2)] = args[++i] ?? '';
    else positional.push(args[i]);
  }
  return { positional, flags };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  checkKserve(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
    process.stderr.write(`check:kserve: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
