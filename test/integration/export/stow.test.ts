// STOW-RS client against Orthanc's DICOMweb plugin (plain and with basic auth), and the retry
// path for a 503 from a tiny HTTP server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetLayout } from '../../support/dcmtk.js';
import { startOrthanc, type RunningOrthanc } from '../../support/orthanc.js';
import { enqueueFiles, expectOrthancHolds, rows, samples, startHarness, startOrthancWithAuth,
  type Harness } from './harness.js';
import { waitFor } from '../../support/node-process.js';

const files = [samples.ctExplicit, samples.rgbRle, samples.ctImplicit];

describe('STOW-RS to Orthanc', () => {
  let orthanc: RunningOrthanc;
  let h: Harness;
  beforeAll(async () => {
    orthanc = await startOrthanc();
    h = startHarness([{ id: 'web', name: 'Orthanc DICOMweb', type: 'dicomweb', url: orthanc.dicomWeb }]);
  }, 40_000);
  afterAll(async () => { await h?.stop(); await orthanc?.stop(); });

  it('delivers the objects in one request and Orthanc lists them', async () => {
    await enqueueFiles(h, 'web', files);
    await waitFor('all delivered', () => rows(h).every((r) => r.state === 'delivered') || undefined);
    await expectOrthancHolds(orthanc, files);
    expect(h.logs.filter((l) => l.event === 'export.delivered').map((l) => l.batch)).toEqual([files.length]);
  });
});

describe('STOW-RS with wrong credentials', () => {
  let orthanc: Awaited<ReturnType<typeof startOrthancWithAuth>>;
  let h: Harness;
  beforeAll(async () => {
    orthanc = await startOrthancWithAuth({ alice: 'right-password' });
    h = startHarness([{ id: 'web', name: 'Orthanc', type: 'dicomweb', url: orthanc.dicomWeb,
      auth: { type: 'basic', username: 'alice', password: 'wrong-password' } }]);
  }, 40_000);
  afterAll(async () => { await h?.stop(); await orthanc?.stop(); });

  it('fails permanently on 401 after one attempt', async () => {
    // The peer really refuses these credentials (and accepts the right ones).
    const auth = (p: string) => ({ authorization: `Basic ${Buffer.from(`alice:${p}`).toString('base64')}` });
    expect((await fetch(orthanc.url('/system'), { headers: auth('wrong-password') })).status).toBe(401);
    expect((await fetch(orthanc.url('/system'), { headers: auth('right-password') })).status).toBe(200);
    await enqueueFiles(h, 'web', [samples.ctExplicit]);
    const [row] = await waitFor('failed', () => rows(h).every((r) => r.state === 'failed-permanent') && rows(h));
    expect(row.attempts).toBe(1);
    expect(row.lastError).toMatch(/^HTTP 401/);
    await new Promise((r) => setTimeout(r, 1000));
    expect(rows(h)[0]).toMatchObject({ state: 'failed-permanent', attempts: 1 });
  });
});

describe('STOW-RS retry after 503', () => {
  // The one place no real peer produces the status: Orthanc never answers 503 on demand, so a tiny
  // HTTP server answers 503 first, then 200 with a ReferencedSOPSequence.
  let server: http.Server;
  let requests = 0;
  let h: Harness;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => { bytes += c.length; });
      req.on('end', () => {
        requests++;
        if (requests === 1) { res.writeHead(503).end(); return; }
        res.writeHead(200, { 'content-type': 'application/dicom+json' }).end(JSON.stringify({
          '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: [sop] } }] }, bytes,
        }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    h = startHarness([{ id: 'flaky', name: 'flaky', type: 'dicomweb',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dicom-web` }]);
  });
  afterAll(async () => { await h?.stop(); server?.close(); });
  let sop = '';

  it('retries with backoff and then delivers', async () => {
    sop = (await datasetLayout([samples.ctExplicit])).get(samples.ctExplicit)!.sop;
    await enqueueFiles(h, 'flaky', [samples.ctExplicit]);
    const [row] = await waitFor('delivered', () => rows(h)[0]?.state === 'delivered' && rows(h));
    expect(requests).toBe(2);
    expect(row.attempts).toBe(2);
    const retry = h.logs.find((l) => l.event === 'export.retry');
    expect(retry).toMatchObject({ reason: expect.stringMatching(/^HTTP 503/) });
    expect(retry!.delayMs).toBeGreaterThanOrEqual(160);
    expect(retry!.delayMs).toBeLessThanOrEqual(240);
  });
});
