// The dashboard's undelivered results in Chromium: a delivery that went dead is listed with its
// reason, and one click replays it (audited).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storescu } from '../support/dcmtk.js';
import { launchBrowser, snap, type BrowserSession } from '../support/browser.js';
import { ADMIN_TOKEN, freePort, startNode, testdata, waitFor, type RunningNode } from '../support/node-process.js';

let node: RunningNode;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  const rulesFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rules-')), 'rules.json');
  fs.writeFileSync(rulesFile, JSON.stringify({ rules: [] }));
  node = await startNode({
    routing: { rulesFile },
    completion: { seriesQuietSeconds: 0.5, studyQuietSeconds: 1, sweepIntervalMs: 100 },
    export: { retry: { baseSeconds: 0.1, maxSeconds: 0.2, maxAttempts: 1 } },
  });
  const post = (p: string, body: unknown) =>
    node.api(p, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await post('/api/destinations', { id: 'offline-pacs', name: 'PACS that is down', type: 'dimse',
    aeTitle: 'DOWN', host: '127.0.0.1', port: await freePort() })).status).toBe(201);
  expect((await post('/api/rules', { id: 'archive', name: 'Archive everything', enabled: true, priority: 10,
    actions: [{ type: 'forward', destinations: ['offline-pacs'] }], then: 'stop' })).status).toBe(201);
  const files = ['01.dcm', '02.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
  expect((await storescu(node.dimsePort, files, { proposal: '-xi' })).code).toBe(0);
  await waitFor('dead deliveries', async () => {
    const dead = await (await node.api('/api/deliveries?state=dead')).json() as unknown[];
    return dead.length === 2 || undefined;
  }, 30_000);
  browser = await launchBrowser();
  page = (await browser.newPage()).page;
});

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe('undelivered results on the dashboard', () => {
  it('lists dead deliveries with their reason and replays one with a click', async () => {
    await page.goto(node.url('/admin/'));
    await page.getByLabel('Access token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Dashboard' }).click();
    const table = page.locator('#undelivered table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    expect(await table.innerText()).toMatch(/offline-pacs/);
    expect(await table.innerText()).toMatch(/dead/);
    const reason = await table.locator('td.reason').first().innerText();
    expect(reason.length).toBeGreaterThan(5);
    await snap(page, '20-undelivered');

    const id = await table.locator('tbody tr').first().getAttribute('data-delivery-id');
    await page.getByRole('button', { name: `Replay delivery ${id}` }).click();
    await page.locator('#dashboard-status', { hasText: `Delivery #${id} queued again` }).waitFor();
    const audit = await (await node.api('/api/audit')).json() as Array<{ action: string; target: string }>;
    expect(audit.some((a) => a.action === 'replay' && a.target === `delivery:${id}`)).toBe(true);
    await snap(page, '21-replayed');
  });
});
