// The running node with ct-body-lung served by a KServe v2 server (the stand-in): a CT sent by DCMTK ends in SEG + SR
// through the remote model, GET /api/models shows the backend and its state, and a failing or not-ready server
// fails the job with the code an admin can act on.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKserveServer, type KserveTestServer } from '../../support/kserve-server.js';
import { freePort, startNode, waitFor, type RunningNode } from '../../support/node-process.js';
import { temporaryModelsDir } from '../../unit/infer/helpers.js';
import { ctFiles, finishedJob, post, quickCompletion, sendAsNewStudy } from '../pipeline/helpers.js';
import { builtInManifest, builtInModel, writeManifest } from './kserve-helpers.js';

describe('the node with a remote ct-body-lung', () => {
  let server: KserveTestServer;
  let node: RunningNode;
  let modelsDir: string;
  const modelRow = async () =>
    ((await (await node.api('/api/models')).json()) as any[]).find((m) => m.id === 'ct-body-lung');

  beforeAll(async () => {
    server = await startKserveServer({ modelPath: path.join(builtInModel('ct-body-lung'), 'model.onnx'),
      modelName: 'ct-body-lung' });
    modelsDir = temporaryModelsDir();
    writeManifest(modelsDir, builtInManifest('ct-body-lung', 'ct-body-lung', {
      type: 'kserve-v2', url: server.httpUrl, model: 'ct-body-lung', protocol: 'http', timeoutMs: 30_000,
      retries: 2, circuitFailures: 5, readinessIntervalSeconds: 0.2,
    }));
    node = await startNode({ ...quickCompletion, runner: { pollIntervalMs: 200 }, models: { dir: modelsDir } });
    const created = await post(node, '/api/destinations', { id: 'sender', name: 'The sending modality', type: 'dimse',
      aeTitle: 'TESTSCU', host: '127.0.0.1', port: await freePort() });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await node?.stop();
    await server?.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('lists the model with its remote backend, ready', async () => {
    expect(await modelRow()).toMatchObject({
      state: 'ready', provider: 'kserve-v2',
      backend: { type: 'kserve-v2', protocol: 'http', url: server.httpUrl, model: 'ct-body-lung',
        state: 'ready', circuit: 'closed' },
    });
  });

  it('runs the seeded CT rule through the remote model to SEG + SR', async () => {
    const before = server.counts.infer;
    const job = await finishedJob(node, await sendAsNewStudy(node, ctFiles));
    expect(job.state, job.reason).toBe('done');
    expect(job.stages.map((s: any) => s.stage)).toEqual(['route', 'load', 'infer', 'encode', 'export']);
    expect(server.counts.infer - before).toBe(1);
  });

  it('fails the job with KSERVE_UNAVAILABLE after the retries when the server answers 500', async () => {
    server.switches.fail500 = true;
    try {
      const before = server.counts.infer;
      const job = await finishedJob(node, await sendAsNewStudy(node, ctFiles));
      expect(job.state).toBe('failed');
      expect(job.reason).toMatch(/^KSERVE_UNAVAILABLE: HTTP 500: injected failure \(after 3 attempts\)/);
      expect(server.counts.infer - before).toBe(3);
      expect(node.logs().filter((l) => l.event === 'model.remote.retry').length).toBeGreaterThanOrEqual(2);
    } finally {
      server.switches.fail500 = false;
    }
  });

  it('shows a model the server stopped serving as not ready, and refuses its job with MODEL_NOT_READY', async () => {
    server.switches.modelNotReady = true;
    try {
      await waitFor('model not ready in /api/models', async () => (await modelRow()).backend.state === 'not-ready');
      expect((await modelRow()).backend.reason).toMatch(/model "ct-body-lung" is not ready on /);
      const before = server.counts.infer;
      const job = await finishedJob(node, await sendAsNewStudy(node, ctFiles));
      expect(job.state).toBe('failed');
      expect(job.reason).toMatch(/^MODEL_NOT_READY: model "ct-body-lung" is not ready on /);
      expect(server.counts.infer).toBe(before);
    } finally {
      server.switches.modelNotReady = false;
    }
    await waitFor('model ready again', async () => (await modelRow()).backend.state === 'ready');
  });
});
