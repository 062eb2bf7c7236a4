// Outbox fault cases with real peers: a PACS that is down then back, a PACS that rejects our AE
// title, a destination that only ever drops connections (circuit breaker), and an expired lease.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { getDelivery } from '../../../src/db/deliveries.js';
import { prepared } from '../../../src/db/database.js';
import { runTool } from '../../support/dcmtk.js';
import { startOrthanc, type RunningOrthanc } from '../../support/orthanc.js';
import { enqueueFiles, rows, samples, startHarness, type Harness } from './harness.js';
import { waitFor } from '../../support/node-process.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

describe('outbox faults', () => {
  it('keeps retrying with growing backoff while the PACS is down, then delivers once, without duplicates', async () => {
    let orthanc: RunningOrthanc = await startOrthanc();
    cleanups.push(() => orthanc.stop());
    await orthanc.stop();
    const h = startHarness([{ id: 'pacs', name: 'Orthanc', type: 'dimse', aeTitle: 'ORTHANC', host: '127.0.0.1',
      port: orthanc.dicomPort }], { retry: { baseSeconds: 0.1, maxSeconds: 0.8 } });
    cleanups.push(() => h.stop());
    await enqueueFiles(h, 'pacs', [samples.ctExplicit, samples.ctImplicit]);
    await waitFor('four retries', () => h.logs.filter((l) => l.event === 'export.retry').length >= 8 || undefined);
    const delays = h.logs.filter((l) => l.event === 'export.retry' && l.sopInstanceUid === rows(h)[0].sopInstanceUid)
      .map((l) => l.delayMs as number);
    // base 0.1 s doubling: 100, 200, 400, 800 (the cap) ms, each ±20 %
    for (const [i, d] of delays.slice(0, 4).entries())
      expect(Math.abs(d / (100 * 2 ** i) - 1), `delay ${i}: ${d} ms`).toBeLessThanOrEqual(0.2);
    expect(delays[2]).toBeGreaterThan(delays[0]);
    expect(
      rows(h).every((r) => r.state !== 'delivered' && /cannot reach|closed before/.test(r.lastError ?? ''))).toBe(true);
    orthanc = await orthanc.restart();
    await waitFor('delivered', () => rows(h).every((r) => r.state === 'delivered') || undefined);
    await new Promise((r) => setTimeout(r, 500));
    expect(await orthanc.get('/instances')).toHaveLength(2);
    expect(rows(h)).toHaveLength(2);
  }, 45_000);

  it('fails permanently, at once and only once, when the PACS rejects the calling AE title', async () => {
    const orthanc = await startOrthanc({ DicomAlwaysAllowStore: false, DicomAlwaysAllowEcho: false,
      DicomModalities: { other: ['SOMEONE_ELSE', '127.0.0.1', 104] } });
    cleanups.push(() => orthanc.stop());
    // The peer really refuses us: DCMTK's storescu with the same calling AE gets no association.
    const direct = await runTool('storescu',
      ['-aet', 'AI_NODE_TEST', '-aec', 'ORTHANC', '127.0.0.1', String(orthanc.dicomPort), samples.ctExplicit]);
    expect(direct.code).not.toBe(0);
    expect(direct.stderr + direct.stdout).toMatch(/Rejected|Association Request Failed/i);
    const h = startHarness([{ id: 'pacs', name: 'Orthanc', type: 'dimse', aeTitle: 'ORTHANC', host: '127.0.0.1',
      port: orthanc.dicomPort }]);
    cleanups.push(() => h.stop());
    await enqueueFiles(h, 'pacs', [samples.ctExplicit]);
    const [row] = await waitFor('failed', () => rows(h)[0]?.state === 'failed-permanent' && rows(h));
    expect(row.lastError).toMatch(/association rejected/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(rows(h)[0]).toMatchObject({ state: 'failed-permanent', attempts: 1 });
    expect(h.logs.filter((l) => l.event === 'export.retry')).toHaveLength(0);
    expect(await orthanc.get('/instances')).toHaveLength(0);
  }, 45_000);

  it('opens the circuit after 5 failures and sends one probe per cool-down', async () => {
    const connections: number[] = [];
    const listener = net.createServer((s) => { connections.push(Date.now()); s.destroy(); });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    cleanups.push(() => listener.close());
    const port = (listener.address() as net.AddressInfo).port;
    const h = startHarness(
      [{ id: 'drop', name: 'drops connections', type: 'dimse', aeTitle: 'NOBODY', host: '127.0.0.1', port }],
      { batchSize: 1, perDestinationConcurrency: 1, retry: { baseSeconds: 0.05, maxSeconds: 0.05 },
        circuit: { failures: 5, coolDownSeconds: 1.5 } });
    cleanups.push(() => h.stop());
    await enqueueFiles(h, 'drop',
      [samples.ctExplicit, samples.ctImplicit, samples.rgbRle, samples.rgbJpeg, samples.j2k]);
    await waitFor('circuit open', () => h.logs.some((l) => l.event === 'export.circuit.open') || undefined);
    const openedAt = Date.now();
    expect(connections).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 2500)); // one cool-down (1.5 s) passes, the next (another 1.5 s) has not
    expect(connections).toHaveLength(6);
    expect(connections[5] - openedAt).toBeGreaterThanOrEqual(1400);
    expect(h.logs.filter((l) => l.event === 'export.circuit.closed')).toHaveLength(0);
  }, 30_000);

  it('sends a row left "sending" with an expired lease again, exactly once', async () => {
    const orthanc = await startOrthanc();
    cleanups.push(() => orthanc.stop());
    const h = startHarness([{ id: 'pacs', name: 'Orthanc', type: 'dimse', aeTitle: 'ORTHANC', host: '127.0.0.1',
      port: orthanc.dicomPort }]);
    cleanups.push(() => h.stop());
    // As a crashed node leaves it: claimed (attempt 1), lease already over.
    await h.outbox.stop();
    await enqueueFiles(h, 'pacs', [samples.ctExplicit]);
    const id = rows(h)[0].id;
    prepared(h.db, `UPDATE deliveries SET state = 'sending', attempts = 1, lease_until = ? WHERE id = ?`)
      .run(Date.now() - 1000, id);
    const { startOutbox } = await import('../../../src/export/outbox.js');
    const again = startOutbox(h.db, h.config, { info() {}, warn() {}, error() {}, debug() {}, close: async () => {} });
    cleanups.push(() => again.stop());
    await waitFor('delivered', () => getDelivery(h.db, id)?.state === 'delivered' || undefined);
    await new Promise((r) => setTimeout(r, 1000));
    expect(getDelivery(h.db, id)).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(await orthanc.get('/instances')).toHaveLength(1);
    const stats = await orthanc.get('/statistics');
    expect(stats.CountInstances).toBe(1);
  }, 45_000);
});
