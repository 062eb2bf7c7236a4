// Issue 15 fault 8 against the built node: lower-case "bearer", the admin page's security headers,
// a completion sweep that meets a locked database, and a throw that nobody catches.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src/db/database.js';
import { afterAll, describe, expect, it } from 'vitest';
import { storescu } from '../../support/dcmtk.js';
import { startNode, testdata, waitFor, type RunningNode } from '../../support/node-process.js';

const ct = path.join(testdata, 'dcmqi-ct3/01.dcm');
const STOW_TOKEN = 'stow-token-for-tests-abcdef012345';
const nodes: RunningNode[] = [];
afterAll(async () => { for (const n of nodes) await n.stop('SIGKILL'); });

async function nodeForTest(overrides: Record<string, any> = {}): Promise<RunningNode> {
  const n = await startNode(overrides);
  nodes.push(n);
  return n;
}

function multipart(file: string): { body: Buffer; contentType: string } {
  const boundary = `b-${crypto.randomUUID()}`;
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
    fs.readFileSync(file), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  return { body, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

const events = (n: RunningNode, event: string) => n.logs().filter((l) => l.event === event);

describe('small gaps (issue 15, fault 8)', () => {
  it('accepts the Bearer scheme in any case, for STOW-RS and for the admin API', async () => {
    const node = await nodeForTest({ http: { stow: { auth: { type: 'bearer', token: STOW_TOKEN } } } });
    const stow = (authorization: string) => { const m = multipart(ct); return fetch(node.url('/dicomweb/studies'),
      { method: 'POST', body: m.body, headers: { 'content-type': m.contentType, authorization } }); };
    expect((await stow(`bearer ${STOW_TOKEN}x`)).status).toBe(401); // the check still checks
    expect((await stow(`bearer ${STOW_TOKEN}`)).status).toBe(200);
    expect((await stow(`BEARER ${STOW_TOKEN}`)).status).toBe(200);
    expect((await stow(`Basic ${STOW_TOKEN}`)).status).toBe(401);
    const admin = (authorization: string) => fetch(node.url('/api/jobs'), { headers: { authorization } });
    expect((await admin(`bearer ${node.adminToken}`)).status).toBe(200);
    expect((await admin(`bEaReR ${node.adminToken}`)).status).toBe(200);
    expect((await admin(`bearer wrong-${node.adminToken}`)).status).toBe(401);
    expect((await admin(`Basic ${node.adminToken}`)).status).toBe(401);
  }, 60_000);

  it('serves /admin with a CSP that forbids framing, nosniff and a referrer policy', async () => {
    const node = await nodeForTest();
    for (const p of ['/admin/', '/admin/app.js', '/admin/styles.css']) {
      const res = await fetch(node.url(p));
      expect(res.status, p).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, p).toMatch(/frame-ancestors 'none'/);
      expect(csp, p).toMatch(/script-src 'self'(;|$)/);
      expect(res.headers.get('x-content-type-options'), p).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), p).toBe('no-referrer');
    }
  }, 60_000);

  it('logs a completion sweep that fails on a locked database and completes the study on a later tick', async () => {
    const node =
      await nodeForTest({ completion: { seriesQuietSeconds: 1, studyQuietSeconds: 1, sweepIntervalMs: 200 } });
    expect((await storescu(node.dimsePort, [ct])).code).toBe(0);
    // Another writer holds the database past the quiet period and the busy timeout (SQLite 5 s; PostgreSQL: the
    // studies table locked past the node's lock_timeout of 2 s).
    const other = node.databaseUrl
      ? openDatabase('', node.databaseUrl) : new Database(path.join(node.dataDir, 'node.sqlite'));
    if (node.databaseUrl) other.exec('BEGIN; LOCK TABLE studies IN ACCESS EXCLUSIVE MODE');
    else {
      other.pragma('busy_timeout = 10000');
      other.exec('BEGIN IMMEDIATE');
    }
    await waitFor('sweep failure',
      () => events(node, 'completion.sweep.failed').length > 0 || node.process.exitCode !== null, 30_000);
    other.exec('COMMIT');
    other.close();
    expect(node.process.exitCode, 'the node died of the sweep\'s throw').toBeNull();
    expect(events(node, 'completion.sweep.failed')[0].reason).toMatch(/locked|busy|lock timeout/i);
    await waitFor('study complete after the lock',
      () => events(node, 'study.complete').length > 0 || undefined, 30_000);
    expect(node.process.exitCode).toBeNull();
  }, 90_000);

  for (const kind of ['uncaughtException', 'unhandledRejection'] as const) {
    it(`logs an ${kind} as node.crashed and exits non-zero`, async () => {
      // A preload stands in for a bug: on SIGUSR2 it throws (or rejects) where nobody catches it.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
      const preload = path.join(dir, 'inject.mjs');
      const fail = kind === 'uncaughtException'
        ? 'throw new Error("injected bug")' : 'Promise.reject(new Error("injected bug"))';
      fs.writeFileSync(preload, `process.on('SIGUSR2', () => { ${fail}; });\n`);
      const before = process.env.NODE_OPTIONS;
      process.env.NODE_OPTIONS = `${before ?? ''} --import=${preload}`.trim();
      let node: RunningNode;
      try { node = await nodeForTest(); } finally {
        if (before === undefined) delete process.env.NODE_OPTIONS; else process.env.NODE_OPTIONS = before; }
      const exited = new Promise<number | null>((resolve) => node.process.once('exit', (code) => resolve(code)));
      node.process.kill('SIGUSR2');
      const code = await exited;
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      const crash = events(node, 'node.crashed');
      expect(crash).toHaveLength(1);
      expect(crash[0]).toMatchObject({ level: 'error', kind, reason: 'injected bug' });
    }, 60_000);
  }
});
