// C-STORE SCU against real peers: DCMTK storescp in bit-preserving mode (+B) shows the data sets
// arrive byte for byte, in the stored transfer syntax, one association per batch; Orthanc stores them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetLayout } from '../../support/dcmtk.js';
import { freePort, waitFor } from '../../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../../support/orthanc.js';
import {
  enqueueFiles, expectByteIdentical, expectOrthancHolds, rows, samples, startHarness, type Harness,
} from './harness.js';

const files = [samples.ctExplicit, samples.rgbRle, samples.rgbJpeg, samples.j2k, samples.ctImplicit];

/** storescp -v (its log counts associations) writing exactly what it receives (+B). */
async function startVerboseScp(): Promise<{ port: number; dir: string; output: () => string; child: ChildProcess }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-scp-'));
  let output = '';
  const child = spawn('storescp', ['-v', '-aet', 'REFSCP', '+B', '+xa', '-od', dir, String(port)],
    { env: { ...process.env, TCP_NODELAY: '1' } });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor('storescp listening', () => output.includes('listening') || undefined, 5000)
    .catch(() => new Promise((r) => setTimeout(r, 500)));
  return { port, dir, output: () => output, child };
}

describe('C-STORE to DCMTK storescp', () => {
  let scp: Awaited<ReturnType<typeof startVerboseScp>>;
  let h: Harness;
  beforeAll(async () => {
    scp = await startVerboseScp();
    h = startHarness([{ id: 'ref', name: 'storescp', type: 'dimse', aeTitle: 'REFSCP', host: '127.0.0.1',
      port: scp.port }], { batchSize: 10 });
  });
  afterAll(async () => { await h?.stop(); scp?.child.kill(); });

  it('delivers a batch in one association, each data set byte-identical and in its stored transfer syntax',
    async () => {
      expect(await enqueueFiles(h, 'ref', files)).toBe(files.length);
      await waitFor('all delivered', () => rows(h).every((r) => r.state === 'delivered') || undefined);
      expect(rows(h).map((r) => r.attempts)).toEqual(files.map(() => 1));
      await expectByteIdentical(files, fs.readdirSync(scp.dir).map((f) => path.join(scp.dir, f)));
      expect(scp.output().match(/Association Received/g)).toHaveLength(1);
      expect(h.logs.filter((l) => l.event === 'export.delivered')).toHaveLength(1);
    });

  it('enqueueing the same job again adds nothing and sends nothing again', async () => {
    expect(await enqueueFiles(h, 'ref', files)).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(rows(h)).toHaveLength(files.length);
    expect(scp.output().match(/Association Received/g)).toHaveLength(1);
  });
});

describe('C-STORE to Orthanc', () => {
  let orthanc: RunningOrthanc;
  let h: Harness;
  beforeAll(async () => {
    orthanc = await startOrthanc();
    h = startHarness([{ id: 'pacs', name: 'Orthanc', type: 'dimse', aeTitle: orthanc.aeTitle, host: '127.0.0.1',
      port: orthanc.dicomPort }], { batchSize: 2, perDestinationConcurrency: 1 });
  }, 40_000);
  afterAll(async () => { await h?.stop(); await orthanc?.stop(); });

  it('stores every object, batches of two in one association each', async () => {
    await enqueueFiles(h, 'pacs', files);
    await waitFor('all delivered', () => rows(h).every((r) => r.state === 'delivered') || undefined);
    const instances = await expectOrthancHolds(orthanc, files);
    const syntaxes = await Promise.all(
      instances.map(async (id) => (await fetch(orthanc.url(`/instances/${id}/metadata/TransferSyntax`))).text()));
    const layout = await datasetLayout(files);
    expect(syntaxes.sort()).toEqual(files.map((f) => layout.get(f)!.ts).sort());
    expect(h.logs.filter((l) => l.event === 'export.delivered').map((l) => l.batch)).toEqual([2, 2, 1]);
  });
});
