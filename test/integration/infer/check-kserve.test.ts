// The site smoke test (npm run check:kserve) against the stand-in server: passes on a good model over HTTP and gRPC,
// fails (exit 1, naming the step) when the model is not ready or its metadata differs from the manifest.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKserve } from '../../../src/cli/check-kserve.js';
import { startKserveServer, type KserveTestServer } from '../../support/kserve-server.js';
import { builtInModel } from './kserve-helpers.js';

describe('check:kserve', () => {
  let server: KserveTestServer;
  const manifest = path.join(builtInModel('ct-body-lung'), 'model.json');
  const run = async (args: string[]) => {
    const lines: string[] = [];
    const code = await checkKserve(args, (l) => lines.push(l));
    return { code, lines };
  };

  beforeAll(async () => {
    server = await startKserveServer({ modelPath: path.join(builtInModel('ct-body-lung'), 'model.onnx'),
      modelName: 'ct-body-lung' });
  });
  afterAll(async () => { await server?.close(); });

  it.each([['http'], ['grpc']])('passes every step over %s, with one inference on a synthetic input',
    async (protocol) => {
      const url = protocol === 'http' ? server.httpUrl : server.grpcUrl;
      const before = server.counts.infer;
      const { code, lines } = await run([url, 'ct-body-lung', '--protocol', protocol, '--manifest', manifest]);
      expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
      expect(code).toBe(0);
      expect(lines).toContain(`ok   metadata agrees with ${manifest}`);
      expect(lines.some((l) => / ms; labels UINT8 \[1, 1, 48, 48, 48\] 110592 bytes$/.test(l))).toBe(true);
      expect(server.counts.infer - before).toBe(1);
    });

  it('fails at the model-ready step when the model is not ready', async () => {
    server.switches.modelNotReady = true;
    try {
      const { code, lines } = await run([server.httpUrl, 'ct-body-lung']);
      expect(code).toBe(1);
      expect(lines.at(-1)).toBe('FAIL model "ct-body-lung" ready: the server says the model is not ready');
    } finally {
      server.switches.modelNotReady = false;
    }
  });

  it('names a metadata difference from the manifest', async () => {
    const { code, lines } =
      await run([server.httpUrl, 'ct-body-lung', '--manifest', path.join(builtInModel('unet3d-bench'), 'model.json')]);
    expect(code).toBe(1);
    expect(lines.at(-1))
      .toMatch(/^FAIL metadata agrees with .*: \/outputs\/0\/name: "logits" is not on the server \(it has "labels"\)/);
  });

  it('prints its usage without URL and MODEL', async () => {
    expect((await run([])).code).toBe(64);
  });
});
