// A KServe v2 server that fails: 500 / INTERNAL and timeouts are retried then give coded failures and open the
// circuit (which fails fast, then probes and closes); a server gone after start-up is retried; a server down at
// start-up, a model not ready (found by the periodic check or by a failed run) and a metadata mismatch are refused.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import { failureReason } from '../../../src/jobs/errors.js';
import { startKserveServer, type KserveTestServer } from '../../support/kserve-server.js';
import { allocatePort } from '../../support/ports.js';
import { axialVolume, pointwiseModel, temporaryModelsDir, testManifest } from '../../unit/infer/helpers.js';
import { writeManifest } from './kserve-helpers.js';
import { createHash } from 'node:crypto';

const protocols = ['http', 'grpc'] as const;
const volume = axialVolume([8, 8, 4], [1, 1, 1], Float32Array.from({ length: 256 }, (_, v) => (v % 3) - 1));

describe('remote inference faults', () => {
  let server: KserveTestServer;
  let registry: ModelRegistry;
  let modelsDir: string;
  const events: Array<{ event: string; fields?: Record<string, unknown> }> = [];

  beforeAll(async () => {
    modelsDir = temporaryModelsDir();
    const onnx = path.join(modelsDir, 'pointwise.onnx');
    fs.writeFileSync(onnx, pointwiseModel());
    server = await startKserveServer({ modelPath: onnx, modelName: 'pointwise' });
    const sha256 = createHash('sha256').update(fs.readFileSync(onnx)).digest('hex');
    const freePort = await allocatePort(); // nothing listens there
    for (const protocol of protocols) {
      const url = protocol === 'http' ? server.httpUrl : server.grpcUrl;
      const remote = (id: string, extra: object = {}, overrides: object = {}) =>
        writeManifest(modelsDir, testManifest(`${protocol}-${id}`, {
          sha256, ...overrides,
          backend: { type: 'kserve-v2', url, model: 'pointwise', protocol, timeoutMs: 5_000, retries: 2,
            circuitFailures: 2, circuitCoolDownSeconds: 1, readinessIntervalSeconds: 3600, ...extra },
        } as object));
      // only 'slow' has a short timeout: at 400 ms the others' start-up checks timed out on a loaded machine
      remote('failing'); remote('slow', { timeoutMs: 400 }); remote('gone'); remote('unloaded');
      remote('polled', { readinessIntervalSeconds: 0.1 });
      remote('never-up', { url: protocol === 'http' ? `http://127.0.0.1:${freePort}` : `127.0.0.1:${freePort}` });
      remote('renamed', {},
        { outputs: [{ name: 'logits', dtype: 'float32', shape: ['N', 2, 'D', 'H', 'W'], kind: 'logits' }] });
    }
    const log = (event: string, fields?: Record<string, unknown>) => { events.push({ event, fields }); };
    registry = await loadModelRegistry(modelsDir, { log: { info: log, warn: log, error: log } });
  });
  afterAll(async () => {
    await registry?.close();
    await server?.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  const backendOf = (id: string) => registry.list().find((m) => m.id === id)!.backend!;
  const failureOf = (id: string) =>
    runModel(registry, id, volume).then(() => { throw new Error(`${id} ran`); }, (e: Error) => e);
  const retries = (id: string) =>
    events.filter((e) => e.event === 'model.remote.retry' && e.fields?.modelId === id).length;

  describe.each(protocols)('over %s', (protocol) => {
    const id = (name: string) => `${protocol}-${name}`;

    it('retries a failing server twice, fails with KSERVE_UNAVAILABLE, opens the circuit, then probes and closes it',
      async () => {
        server.switches.fail500 = true;
        try {
          let before = server.counts.infer;
          const first = await failureOf(id('failing'));
          expect(failureReason(first)).toMatch(protocol === 'http'
            ? /^KSERVE_UNAVAILABLE: HTTP 500: injected failure/ : /^KSERVE_UNAVAILABLE: gRPC INTERNAL/);
          expect(server.counts.infer - before).toBe(3); // 1 + 2 retries
          expect(backendOf(id('failing')).circuit).toBe('closed');
          await failureOf(id('failing'));
          expect(backendOf(id('failing')).circuit).toBe('open');
          before = server.counts.infer;
          expect(failureReason(await failureOf(id('failing')))).toMatch(/^KSERVE_CIRCUIT_OPEN: /);
          expect(server.counts.infer).toBe(before); // failed fast, the server was not asked
          expect(events.some((e) => e.event === 'model.remote.circuit.open' && e.fields?.modelId === id('failing')))
            .toBe(true);
        } finally {
          server.switches.fail500 = false;
        }
        await vi.waitFor(async () => {
          const result = await runModel(registry, id('failing'), volume); // the probe, once the cool-down is over
          expect(Array.from(result.labels.subarray(0, 3))).toEqual([0, 0, 1]); // x = -1, 0, 1 → argmax of [-x, x]
        }, { timeout: 5_000, interval: 300 });
        expect(backendOf(id('failing')).circuit).toBe('closed');
      });

    it('gives up on a server slower than timeoutMs with KSERVE_TIMEOUT after three attempts', async () => {
      server.switches.slowMs = 2_000;
      try {
        const before = server.counts.infer;
        const failure = await failureOf(id('slow'));
        expect(failureReason(failure)).toMatch(/^KSERVE_TIMEOUT: no answer from .* within 400 ms \(after 3 attempts\)/);
        expect(server.counts.infer - before).toBe(3);
        expect(retries(id('slow'))).toBe(2);
      } finally {
        server.switches.slowMs = 0;
      }
    });

    it('retries a server that went away after start-up and fails with KSERVE_UNAVAILABLE', async () => {
      expect(backendOf(id('gone')).state).toBe('ready');
      server.switches.down = true;
      try {
        expect(failureReason(await failureOf(id('gone')))).toMatch(/^KSERVE_UNAVAILABLE: /);
        expect(retries(id('gone'))).toBe(2);
      } finally {
        server.switches.down = false;
      }
    });

    it('refuses a model whose server was never up with MODEL_NOT_READY, naming why', async () => {
      expect(backendOf(id('never-up')))
        .toMatchObject({ state: 'unreachable', reason: expect.stringMatching(/^KSERVE_UNAVAILABLE: /) });
      expect(failureReason(await failureOf(id('never-up')))).toMatch(/^MODEL_NOT_READY: KSERVE_UNAVAILABLE: /);
    });

    it('refuses a model the periodic check finds not ready, without sending it anything, and takes it back when ready',
      async () => {
        server.switches.modelNotReady = true;
        try {
          await vi.waitFor(() => expect(backendOf(id('polled')).state).toBe('not-ready'), { timeout: 5_000 });
          const before = server.counts.infer;
          expect(failureReason(await failureOf(id('polled'))))
            .toMatch(/^MODEL_NOT_READY: model "pointwise" is not ready on /);
          expect(server.counts.infer).toBe(before);
        } finally {
          server.switches.modelNotReady = false;
        }
        await vi.waitFor(() => expect(backendOf(id('polled')).state).toBe('ready'), { timeout: 5_000 });
        await expect(runModel(registry, id('polled'), volume)).resolves.toMatchObject({ provider: 'kserve-v2' });
      });

    it('says MODEL_NOT_READY when a run fails because the model was unloaded since the last check', async () => {
      expect(backendOf(id('unloaded')).state).toBe('ready');
      server.switches.modelNotReady = true;
      try {
        expect(failureReason(await failureOf(id('unloaded'))))
          .toMatch(/^MODEL_NOT_READY: model "pointwise" is not ready on .*\(the run failed: /);
        expect(backendOf(id('unloaded')).state).toBe('not-ready');
      } finally {
        server.switches.modelNotReady = false;
      }
    });

    it('refuses a model whose server metadata differs from the manifest with MODEL_IO_MISMATCH', async () => {
      expect(backendOf(id('renamed'))).toMatchObject({ state: 'mismatch',
        reason: expect.stringContaining('/outputs/0/name: "logits" is not on the server (it has "scores")') });
      expect(failureReason(await failureOf(id('renamed')))).toMatch(/^MODEL_IO_MISMATCH: /);
    });
  });
});
