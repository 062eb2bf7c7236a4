// The TLS fields of a destination: the schema over the API, and the form on the admin page, verified over TLS.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationsRouter } from '../../../src/api/routes/destinations.js';
import { launchBrowser, unlabelledControls, type BrowserSession } from '../../support/browser.js';
import { startNode, type RunningNode } from '../../support/node-process.js';
import { startHarness, type Harness } from './harness.js';
import { makePki, pem, startTlsScp, type TlsScp } from './tls-peer.js';

describe('destination schema: TLS fields over the API', () => {
  let base = '';
  let close: () => void;
  let h: Harness;
  beforeAll(async () => {
    if (!fs.existsSync(pem('ca.crt'))) makePki();
    h = startHarness([]);
    const app = express();
    app.use(express.json());
    app.use((_req, res, next) => { res.locals.actor = 'admin'; next(); });
    app.use('/api/destinations', destinationsRouter(h.db, 'AI_NODE_TEST'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/destinations`;
    close = () => server.close();
  });
  afterAll(async () => { close?.(); await h?.stop(); });

  const post = async (body: object) => {
    const res = await fetch(base,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, json: await res.json() as {
      code?: string; problems?: Array<{ path: string; message: string }> } & Record<string, unknown> };
  };
  const pacs = { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: 'PACS', host: 'pacs.example', port: 2762 };
  const paths = (r: { json: { problems?: Array<{ path: string }> } }) =>
    (r.json.problems ?? []).map((p) => p.path).sort();

  it('refuses a client certificate without its key, and TLS files without tls: true, with JSON paths', async () => {
    const noKey = await post({ ...pacs, tls: true, tlsCertFile: pem('client.crt') });
    expect(noKey.status).toBe(422);
    expect(noKey.json.code).toBe('DESTINATION_INVALID');
    expect(paths(noKey)).toEqual(['/tlsKeyFile']);
    const noCert = await post({ ...pacs, tls: true, tlsKeyFile: pem('client.key') });
    expect(paths(noCert)).toEqual(['/tlsCertFile']);
    const tlsOff = await post({ ...pacs, tls: false, tlsCaFile: pem('ca.crt'), tlsCertFile: pem('client.crt'),
      tlsKeyFile: pem('client.key') });
    expect(tlsOff.status).toBe(422);
    expect(paths(tlsOff)).toEqual(['/tlsCaFile', '/tlsCertFile', '/tlsKeyFile']);
    expect(tlsOff.json.problems![0].message).toMatch(/only with TLS/);
    expect(paths(await post({ ...pacs, tlsCaFile: pem('ca.crt') }))).toEqual(['/tlsCaFile']);
  });

  it('refuses relative, missing and empty file paths, and a misspelt TLS field', async () => {
    const r =
      await post({ ...pacs, tls: true, tlsCaFile: 'certs/ca.crt', tlsCertFile: pem('nope.crt'), tlsKeyFile: '' });
    expect(r.status).toBe(422);
    expect(r.json.problems).toEqual(expect.arrayContaining([
      { path: '/tlsCaFile', message: "must be an absolute path on the node, got 'certs/ca.crt'" },
      { path: '/tlsCertFile', message: `file not found or not readable by the node: '${pem('nope.crt')}'` },
      expect.objectContaining({ path: '/tlsKeyFile' }),
    ]));
    expect(paths(await post({ ...pacs, tls: true, tlsCAFile: pem('ca.crt') }))).toEqual(['/']);
  });

  it('stores a mutual-TLS destination as given', async () => {
    const good =
      { ...pacs, tls: true, tlsCaFile: pem('ca.crt'), tlsCertFile: pem('client.crt'), tlsKeyFile: pem('client.key') };
    const r = await post(good);
    expect(r.status).toBe(201);
    expect(r.json).toEqual(good);
    expect(await (await fetch(`${base}/pacs`)).json()).toEqual(good);
  });
});

describe('admin page: a TLS destination', () => {
  let node: RunningNode;
  let scp: TlsScp;
  let browser: BrowserSession;
  beforeAll(async () => {
    if (!fs.existsSync(pem('ca.crt'))) makePki();
    [scp, node, browser] = await Promise.all([startTlsScp(['-ic']), startNode(), launchBrowser()]);
  });
  afterAll(async () => { await browser?.close(); await node?.stop(); scp?.child.kill(); });

  it('shows the PEM file fields with the TLS checkbox, shows the server\'s problems, saves and verifies over TLS',
    async () => {
      const { page, errors } = await browser.newPage();
      await page.goto(node.url('/admin/'));
      await page.getByLabel('Access token').fill(node.adminToken);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Destinations' }).click();
      await page.getByRole('button', { name: 'New destination' }).click();
      await page.getByLabel('Id', { exact: true }).fill('tls-pacs');
      await page.getByLabel('Name', { exact: true }).fill('TLS PACS');
      await page.getByLabel('AE title').fill('TLSSCP');
      await page.getByLabel('Host').fill('127.0.0.1');
      await page.getByLabel('Port').fill(String(scp.port));
      expect(await page.getByLabel('CA certificate file').isVisible()).toBe(false);
      await page.getByLabel('Use TLS').check();
      for (const label of ['CA certificate file', 'Client certificate file', 'Client key file'])
        expect(await page.getByLabel(label).isVisible(), label).toBe(true);
      expect(await unlabelledControls(page)).toEqual([]);
      await page.getByLabel('CA certificate file').fill('ca.crt');
      await page.getByLabel('Client certificate file').fill(pem('client.crt'));
      await page.getByRole('button', { name: 'Save destination' }).click();
      const problems = page.locator('#destination-editor .field-errors');
      await expect.poll(() => problems.innerText()).toContain('/tlsCaFile: must be an absolute path');
      expect(await problems.innerText()).toContain('/tlsKeyFile: tlsKeyFile is required with tlsCertFile');
      await page.getByLabel('CA certificate file').fill(pem('ca.crt'));
      await page.getByLabel('Client certificate file').fill('');
      await page.getByRole('button', { name: 'Save destination' }).click();
      await page.locator('#destinations-status', { hasText: 'Saved' }).waitFor();
      expect(await (await node.api('/api/destinations/tls-pacs')).json()).toEqual({ id: 'tls-pacs', name: 'TLS PACS',
        type: 'dimse', aeTitle: 'TLSSCP', host: '127.0.0.1', port: scp.port, tls: true, tlsCaFile: pem('ca.crt') });
      const row = page.locator('tr[data-destination-id="tls-pacs"]');
      expect(await row.innerText()).toContain(`TLSSCP@127.0.0.1:${scp.port} (TLS)`);
      await page.getByRole('button', { name: 'Verify TLS PACS' }).click();
      await expect.poll(() => row.locator('.verify-result').innerText(), { timeout: 15_000 })
        .toMatch(/^✓ ok in \d+ ms — C-ECHO to TLSSCP@127\.0\.0\.1:\d+ over TLS succeeded/);
      // Turning TLS off drops the file fields rather than sending what the server would refuse.
      await page.getByRole('button', { name: 'Edit TLS PACS' }).click();
      expect(await page.getByLabel('CA certificate file').inputValue()).toBe(pem('ca.crt'));
      await page.getByLabel('Use TLS').uncheck();
      await page.getByRole('button', { name: 'Save destination' }).click();
      await expect.poll(async () => (await (await node.api('/api/destinations/tls-pacs')).json()).tls).toBe(false);
      expect(await (await node.api('/api/destinations/tls-pacs')).json()).not.toHaveProperty('tlsCaFile');
      expect(errors).toEqual([]);
    });
});
