// TLS export to DCMTK storescp +tls: SEG and SR arrive byte for byte, mutual TLS with and without a
// client certificate, a CA that did not sign the peer (final, nothing received), C-ECHO verify over
// TLS, and the TLS fields of a destination: the schema over the API, the form on the admin page.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationsRouter } from '../../../src/api/routes/destinations.js';
import { storeBatch, type DimseDestination } from '../../../src/export/dimse-sender.js';
import { verifyDestination } from '../../../src/export/verify.js';
import { launchBrowser, unlabelledControls, type BrowserSession } from '../../support/browser.js';
import { freePort, startNode, testdata, waitFor, type RunningNode } from '../../support/node-process.js';
import { enqueueFiles, expectByteIdentical, rows, startHarness, type Harness } from './harness.js';

const seg = path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm');
const sr = path.join(testdata, 'dcmqi-seg-sr/tid1500-sr.dcm');
const pki = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-export-'));
const pem = (name: string) => path.join(pki, name);

/** A throwaway CA that signs a server certificate (for 127.0.0.1 and localhost) and a client one; a second CA that
 *  signs nothing we meet. */
function makePki(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  for (const ca of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj',
    `/CN=${ca}`, '-keyout', pem(`${ca}.key`), '-out', pem(`${ca}.crt`));
  fs.writeFileSync(pem('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  fs.writeFileSync(pem('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', pem(`${who}.key`),
      '-out', pem(`${who}.csr`));
    openssl('x509', '-req', '-in', pem(`${who}.csr`), '-CA', pem('ca.crt'), '-CAkey', pem('ca.key'), '-CAcreateserial',
      '-days', '2', '-extfile', pem(`${who}.ext`), '-out', pem(`${who}.crt`));
  }
}

interface TlsScp { port: number; dir: string; output: () => string; child: ChildProcess }

/** storescp over TLS with the server certificate, writing exactly what it receives (+B); peerCheck: -ic (no client
 *  cert) or -rc +cf ca (mutual TLS). */
async function startTlsScp(peerCheck: string[]): Promise<TlsScp> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-scp-'));
  let output = '';
  const child = spawn('storescp', ['-v', '-aet', 'TLSSCP', '+tls', pem('server.key'), pem('server.crt'), ...peerCheck,
    '+B', '+xa', '-od', dir, String(port)]);
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor('storescp listening', () => new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }), 5000);
  return { port, dir, output: () => output, child };
}

const received = (scp: TlsScp) => fs.readdirSync(scp.dir).map((f) => path.join(scp.dir, f));

describe('C-STORE and C-ECHO over TLS to DCMTK storescp +tls', () => {
  let serverAuth: TlsScp; // verifies nothing of ours: plain server-authenticated TLS
  let mutual: TlsScp; // requires a client certificate signed by our CA
  let badCaPeer: TlsScp; // a peer we must refuse: our CA file names another CA
  let h: Harness;
  const dest = (id: string, port: number, tls: Partial<DimseDestination>): DimseDestination =>
    ({ id, name: id, type: 'dimse', aeTitle: 'TLSSCP', host: '127.0.0.1', port, tls: true, ...tls });
  beforeAll(async () => {
    makePki();
    [serverAuth, mutual, badCaPeer] = await Promise.all([startTlsScp(['-ic']),
      startTlsScp(['-rc', '+cf', pem('ca.crt')]), startTlsScp(['-ic'])]);
    h = startHarness([
      dest('tls', serverAuth.port, { tlsCaFile: pem('ca.crt') }),
      dest('mtls', mutual.port,
        { tlsCaFile: pem('ca.crt'), tlsCertFile: pem('client.crt'), tlsKeyFile: pem('client.key') }),
      dest('mtls-no-cert', mutual.port, { tlsCaFile: pem('ca.crt') }),
      dest('bad-ca', badCaPeer.port, { tlsCaFile: pem('other-ca.crt') }),
    ], { batchSize: 10 });
  });
  afterAll(async () => { await h?.stop(); for (const s of [serverAuth, mutual, badCaPeer]) s?.child.kill(); });

  it('delivers a SEG and an SR over TLS, verifying the peer against tlsCaFile, byte-identical in one association',
    async () => {
      await enqueueFiles(h, 'tls', [seg, sr]);
      await waitFor('delivered over TLS', () => rows(h, 'tls').every((r) => r.state === 'delivered') || undefined);
      expect(rows(h, 'tls').map((r) => r.attempts)).toEqual([1, 1]);
      await expectByteIdentical([seg, sr], received(serverAuth));
      expect(serverAuth.output().match(/Association Received/g)).toHaveLength(1);
    });

  it('mutual TLS: delivered with the client certificate; without one the peer refuses it, final (not retried)',
    async () => {
      await enqueueFiles(h, 'mtls', [seg]);
      await enqueueFiles(h, 'mtls-no-cert', [sr]);
      await waitFor('both settled', () => [...rows(h, 'mtls'), ...rows(h, 'mtls-no-cert')].every(
        (r) => r.state === 'delivered' || r.state === 'failed-permanent') || undefined);
      expect(rows(h, 'mtls')[0]).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(rows(h, 'mtls-no-cert')[0]).toMatchObject({ state: 'failed-permanent', attempts: 1 });
      expect(rows(h, 'mtls-no-cert')[0].lastError)
        .toMatch(/TLS: TLSSCP@127\.0\.0\.1:\d+ refused the handshake \(alert: certificate required\)/);
      await expectByteIdentical([seg], received(mutual));
    });

  it('a CA that did not sign the peer certificate: failed-permanent after one attempt, naming the problem; storescp got nothing', async () => {
    await enqueueFiles(h, 'bad-ca', [seg, sr]);
    await waitFor('bad-ca settled',
      () => rows(h, 'bad-ca').every((r) => r.state !== 'pending' && r.attempts > 0) || undefined);
    await new Promise((r) => setTimeout(r, 1500)); // a retry (base 0.2 s) would show as a second attempt by now
    for (const row of rows(h, 'bad-ca')) {
      expect(row).toMatchObject({ state: 'failed-permanent', attempts: 1 });
      expect(row.lastError)
        .toMatch(/certificate of TLSSCP@127\.0\.0\.1:\d+ did not verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    }
    expect(received(badCaPeer)).toEqual([]);
    expect(badCaPeer.output()).not.toMatch(/Association Received/);
    expect(h.logs.some((l) => l.event === 'export.retry' && l.destinationId === 'bad-ca')).toBe(false);
  });

  it('verify (C-ECHO) over TLS: ok for the good destinations, a clear error for a bad CA or a missing client certificate', async () => {
    const good = await verifyDestination(dest('v-tls', serverAuth.port, { tlsCaFile: pem('ca.crt') }), 'AI_NODE_TEST');
    expect(good).toMatchObject({ ok: true,
      detail: expect.stringMatching(/C-ECHO to TLSSCP@127\.0\.0\.1:\d+ over TLS succeeded/) });
    const mtls = await verifyDestination(dest('v-mtls', mutual.port,
      { tlsCaFile: pem('ca.crt'), tlsCertFile: pem('client.crt'), tlsKeyFile: pem('client.key') }), 'AI_NODE_TEST');
    expect(mtls.ok, mtls.detail).toBe(true);
    const badCa =
      await verifyDestination(dest('v-bad', badCaPeer.port, { tlsCaFile: pem('other-ca.crt') }), 'AI_NODE_TEST');
    expect(badCa).toMatchObject({ ok: false, detail: expect.stringMatching(
      /did not verify \(UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate\)/) });
    const noCert = await verifyDestination(dest('v-nocert', mutual.port, { tlsCaFile: pem('ca.crt') }), 'AI_NODE_TEST');
    expect(noCert).toMatchObject({ ok: false, detail: expect.stringMatching(/alert: certificate required/) });
    // Our own certificate checks, not the peer's leniency: a peer certificate for another name is refused.
    const otherName = await verifyDestination(
      { ...dest('v-name', serverAuth.port, { tlsCaFile: pem('ca.crt') }), host: '127.0.0.2' }, 'AI_NODE_TEST');
    expect(otherName).toMatchObject({ ok: false,
      detail: expect.stringMatching(/did not verify \(ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match/) });
  });

  it('a refused connection stays retryable; an unreadable PEM file is final and names the file', async () => {
    const closed = await freePort();
    const [refused] = await storeBatch(dest('closed', closed, { tlsCaFile: pem('ca.crt') }),
      [{ path: seg, sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4', sopInstanceUid: '2.25.7',
      transferSyntaxUid: '1.2.840.10008.1.2.1' }], 'AI_NODE_TEST');
    expect(refused).toMatchObject({ kind: 'transient', reason: expect.stringMatching(/ECONNREFUSED/) });
    const missing = pem('gone/ca.crt');
    const [unreadable] = await storeBatch(dest('gone', serverAuth.port, { tlsCaFile: missing }),
      [{ path: seg, sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4', sopInstanceUid: '2.25.8',
      transferSyntaxUid: '1.2.840.10008.1.2.1' }], 'AI_NODE_TEST');
    expect(unreadable).toEqual({ kind: 'permanent', reason: `cannot read the TLS CA file '${missing}': ENOENT` });
  });
});

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
