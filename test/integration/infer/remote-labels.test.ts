// Remote inference gives the label map in-process inference gives: ct-body-lung (whole volume) over HTTP with the
// binary extension, HTTP JSON and gRPC, and a sliding-window convolution model whose patches go in batches.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, runModel, type ModelRegistry } from '../../../src/infer/index.js';
import { startKserveServer, type KserveTestServer } from '../../support/kserve-server.js';
import { OnnxGraph } from '../../../src/infer/model-builders/onnx-graph.js';
import { axialVolume, phantomVolume, temporaryModelsDir, testManifest } from '../../unit/infer/helpers.js';
import { builtInManifest, builtInModel, writeManifest } from './kserve-helpers.js';

describe('remote inference over KServe v2 gives the in-process label map', () => {
  let lungServer: KserveTestServer;
  let convServer: KserveTestServer;
  let registry: ModelRegistry;
  let modelsDir: string;

  beforeAll(async () => {
    modelsDir = temporaryModelsDir();
    const lungOnnx = path.join(builtInModel('ct-body-lung'), 'model.onnx');
    lungServer = await startKserveServer({ modelPath: lungOnnx, modelName: 'ct-body-lung', version: '1' });
    const remote = (protocol: 'http' | 'grpc', extra = {}) => ({
      type: 'kserve-v2' as const,
      url: protocol === 'http' ? lungServer.httpUrl : lungServer.grpcUrl, model: 'ct-body-lung',
      version: '1', protocol, timeoutMs: 60_000, ...extra,
    });
    writeManifest(modelsDir, builtInManifest('ct-body-lung', 'lung-local'), lungOnnx);
    // no local model.onnx needed
    writeManifest(modelsDir, builtInManifest('ct-body-lung', 'lung-http', remote('http')));
    writeManifest(modelsDir, builtInManifest('ct-body-lung', 'lung-http-json', remote('http', { json: true })));
    writeManifest(modelsDir, builtInManifest('ct-body-lung', 'lung-grpc', remote('grpc')), lungOnnx);

    // A convolution network (real floats to blend) on 24×24×16 windows with 25 % overlap: 27 patches,
    // 4 per request remotely.
    const convFile = path.join(modelsDir, 'conv.onnx');
    fs.writeFileSync(convFile, smoothingModel());
    convServer = await startKserveServer({ modelPath: convFile, modelName: 'conv' });
    const sliding = { mode: 'slidingWindow' as const, roi: [24, 24, 16] as [number, number, number], overlap: 0.25,
      blending: 'gaussian' as const, batch: 1 };
    const conv = (id: string, backend?: object) => testManifest(id, {
      sha256: sha256Of(convFile), inference: sliding, intraOpNumThreads: 1,
      ...(backend ? { backend: { type: 'kserve-v2', model: 'conv', timeoutMs: 60_000, maxBatch: 4, ...backend } } : {}),
    } as object);
    writeManifest(modelsDir, conv('conv-local'), convFile);
    writeManifest(modelsDir, conv('conv-http', { url: convServer.httpUrl, protocol: 'http' }));
    writeManifest(modelsDir, conv('conv-grpc', { url: convServer.grpcUrl, protocol: 'grpc' }));
    registry = await loadModelRegistry(modelsDir);
  });
  afterAll(async () => {
    await registry?.close();
    await lungServer?.close();
    await convServer?.close();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('registers the remote models as ready, with their backend in the model list', () => {
    const rows = registry.list();
    expect(rows.map((m) => [m.id, m.state, m.backend?.state])).toEqual([
      ['conv-grpc', 'ready', 'ready'], ['conv-http', 'ready', 'ready'], ['conv-local', 'ready', 'ready'],
      ['lung-grpc', 'ready', 'ready'], ['lung-http', 'ready', 'ready'], ['lung-http-json', 'ready', 'ready'],
      ['lung-local', 'ready', 'ready'],
    ]);
    expect(rows.find((m) => m.id === 'lung-grpc')).toMatchObject({
      provider: 'kserve-v2', backend: { type: 'kserve-v2', protocol: 'grpc', url: lungServer.grpcUrl,
        model: 'ct-body-lung', version: '1', circuit: 'closed' },
    });
    expect(rows.find((m) => m.id === 'lung-local')?.backend).toEqual({ type: 'onnxruntime', state: 'ready' });
  });

  it('segments the synthetic CT identically in-process, over HTTP (binary and JSON) and over gRPC', async () => {
    const { volume } = phantomVolume(160, 160, 48);
    volume.spacing[2] = 3;
    volume.affine[10] = 3;
    const local = await runModel(registry, 'lung-local', volume);
    const counts = [0, 0, 0];
    for (const label of local.labels) counts[label]++;
    expect(counts[2]).toBeGreaterThan(1000); // lung found: the comparison is not between two empty maps
    expect(counts[1]).toBeGreaterThan(counts[2]);
    const before = lungServer.counts.infer;
    for (const id of ['lung-http', 'lung-http-json', 'lung-grpc']) {
      const remote = await runModel(registry, id, volume);
      expect(remote.provider).toBe('kserve-v2');
      expect(Buffer.compare(Buffer.from(remote.labels), Buffer.from(local.labels)), id).toBe(0);
    }
    expect(lungServer.counts.infer - before).toBe(3); // one whole-volume request each
  });

  it('blends a sliding window identically, sending the patches in batches of maxBatch', async () => {
    const values =
      Float32Array.from({ length: 56 * 56 * 36 }, (_, v) => Math.sin(v * 0.37) * 100 + ((v * 7919) % 13) - 6);
    const volume = axialVolume([56, 56, 36], [1, 1, 1], values);
    const local = await runModel(registry, 'conv-local', volume);
    const ones = local.labels.reduce((n, l) => n + l, 0);
    expect(ones).toBeGreaterThan(volume.data.length * 0.05);
    expect(ones).toBeLessThan(volume.data.length * 0.95);
    for (const id of ['conv-http', 'conv-grpc']) {
      convServer.counts.batchSizes.length = 0;
      const remote = await runModel(registry, id, volume);
      expect(Buffer.compare(Buffer.from(remote.labels), Buffer.from(local.labels)), id).toBe(0);
      expect(convServer.counts.batchSizes).toEqual([4, 4, 4, 4, 4, 4, 3]); // 3 × 3 × 3 = 27 windows
    }
  });
});

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Two 3×3×3 mean filters (zero-padded, so each patch's border differs from its neighbours'), scores [−y, y]. */
function smoothingModel(): Uint8Array {
  const g = new OnnxGraph('smoothing');
  const x = g.input('image', ['N', 1, 'D', 'H', 'W']);
  const mean = () => g.floats(new Float32Array(27).fill(1 / 27), [1, 1, 3, 3, 3]);
  const conv = (input: string) =>
    g.node('Conv', [input, mean()], { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] });
  const y = conv(conv(x));
  g.output('scores', g.node('Concat', [g.node('Neg', [y]), y], { axis: 1 }), ['N', 2, 'D', 'H', 'W']);
  return g.toBytes('smoothing test model');
}
