// Deliveries API over HTTP: filters, replay of dead and failed-permanent rows (audited), and the
// outbox's own dead / missing-destination paths that feed it.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveriesRouter } from '../../../src/api/routes/deliveries.js';
import { listAudit } from '../../../src/db/audit.js';
import { prepared } from '../../../src/db/database.js';
import { enqueueDeliveries } from '../../../src/export/outbox.js';
import { freePort, waitFor } from '../../support/node-process.js';
import { enqueueFiles, rows, samples, startHarness, type Harness } from './harness.js';

describe('deliveries API', () => {
  let h: Harness;
  let base = '';
  let close: () => void;
  let kicks = 0;
  beforeAll(async () => {
    const closedPort = await freePort(); // nothing listens: connection refused
    h = startHarness(
      [{ id: 'down', name: 'down', type: 'dimse', aeTitle: 'NOBODY', host: '127.0.0.1', port: closedPort }],
      { retry: { baseSeconds: 0.05, maxSeconds: 0.05, maxAttempts: 3 } });
    const app = express();
    app.use((_req, res, next) => { res.locals.actor = 'admin'; next(); });
    app.use('/api/deliveries',
      deliveriesRouter(h.db, { kick: () => { kicks++; h.outbox.kick(); }, stop: async () => {} }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/deliveries`;
    close = () => server.close();
  });
  afterAll(async () => { close?.(); await h?.stop(); });

  it('a destination that stays down ends dead after maxAttempts; a removed destination fails permanently', async () => {
    await enqueueFiles(h, 'down', [samples.ctExplicit]);
    await enqueueFiles(h, 'gone', [samples.ctImplicit]);
    await waitFor('settled',
      () => rows(h).every((r) => r.state === 'dead' || r.state === 'failed-permanent') || undefined);
    expect(rows(h, 'down')[0]).toMatchObject({ state: 'dead', attempts: 3 });
    expect(rows(h, 'down')[0].lastError).toMatch(/gave up after 3 attempts/);
    expect(rows(h, 'gone')[0])
      .toMatchObject({ state: 'failed-permanent', attempts: 1, lastError: 'destination gone no longer exists' });
  });

  it('lists with filters and rejects a bad query', async () => {
    const dead = await (await fetch(`${base}?state=dead`)).json();
    expect(dead.map((d: { destinationId: string }) => d.destinationId)).toEqual(['down']);
    expect(await (await fetch(`${base}?destinationId=gone&limit=5`)).json()).toHaveLength(1);
    expect(await (await fetch(`${base}?jobId=7`)).json()).toHaveLength(0);
    const bad = await fetch(`${base}?state=lost&limit=0`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('DELIVERY_QUERY_INVALID');
  });

  it('replays a dead delivery (audited, outbox kicked), refuses other states and unknown ids', async () => {
    const id = rows(h, 'down')[0].id;
    const res = await fetch(`${base}/${id}/replay`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, state: 'pending', attempts: 0 });
    expect(kicks).toBe(1);
    const audit = listAudit(h.db, 5).find((a) => a.target === `delivery:${id}`);
    expect(audit).toMatchObject({ actor: 'admin', action: 'replay', before: { state: 'dead' },
      after: { state: 'pending', attempts: 0 } });
    await waitFor('dead again', () => rows(h, 'down')[0].state === 'dead' || undefined);
    // A row waiting for its next attempt is not replayable.
    enqueueDeliveries(h.db, [{ jobId: null, destinationId: 'down', path: samples.rgbRle,
      sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: '2.25.1', transferSyntaxUid: '1.2.840.10008.1.2.5' }]);
    const waiting = rows(h).find((r) => r.sopInstanceUid === '2.25.1')!;
    prepared(h.db, 'UPDATE deliveries SET next_attempt_at = ? WHERE id = ?').run(Date.now() + 3_600_000, waiting.id);
    const conflict = await fetch(`${base}/${waiting.id}/replay`, { method: 'POST' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).code).toBe('DELIVERY_STATE');
    const missing = await fetch(`${base}/999999/replay`, { method: 'POST' });
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('DELIVERY_NOT_FOUND');
  });
});
