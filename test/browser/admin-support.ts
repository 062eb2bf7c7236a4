// Shared by the admin page tests: a real node with no rules, a CT study sent with DCMTK, Chromium, API helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchBrowser, type BrowserSession } from '../support/browser.js';
import { runTool, storescu } from '../support/dcmtk.js';
import { startNode, testdata, waitFor, type RunningNode } from '../support/node-process.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const READ_ONLY_TOKEN = 'read-only-token-for-tests-012345';
export const ctFiles = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));

export let node: RunningNode;
export let browser: BrowserSession;
export let page: Page;
export let pageErrors: string[];
export let studyUid: string;
export let modality: string;

export async function api<T = any>(p: string): Promise<T> {
  const res = await fetch(node.url(p), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status, `GET ${p}`).toBe(200);
  return (await res.json()) as T;
}

export async function apiWrite<T = any>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(node.url(p), {
    method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${p}: ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

/** A DICOM attribute as DCMTK's dcmdump reads it: expectations come from an independent reader. */
export async function dcmdumpValue(file: string, tag: string): Promise<string> {
  const r = await runTool('dcmdump', ['+P', tag, file]);
  const m = /\[([^\]]*)\]/.exec(r.stdout);
  if (!m) throw new Error(`dcmdump found no ${tag} in ${file}: ${r.stdout}${r.stderr}`);
  return m[1];
}

export async function logIn(p: Page, tokenValue: string): Promise<void> {
  await p.goto(node.url('/admin/'));
  await p.getByLabel('Access token').fill(tokenValue);
  await p.getByRole('button', { name: 'Log in' }).click();
}

export async function openSection(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();
}

/** Starts the node, sends the study and waits for it to complete, then opens a page in Chromium. */
export async function startAdminSession(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-page-'));
  const rulesFile = path.join(dir, 'no-rules.json');
  fs.writeFileSync(rulesFile, JSON.stringify({ rules: [] })); // a clean slate: no seed rule, no jobs
  node = await startNode({
    admin: { adminToken: ADMIN_TOKEN, readOnlyToken: READ_ONLY_TOKEN },
    routing: { rulesFile },
    completion: { seriesQuietSeconds: 1, studyQuietSeconds: 1, sweepIntervalMs: 100 },
  }, { dataDir: dir });
  const sent = await storescu(node.dimsePort, ctFiles, { proposal: '-xi' });
  expect(sent.code, sent.stderr).toBe(0);
  studyUid = await dcmdumpValue(ctFiles[0], '0020,000d');
  modality = await dcmdumpValue(ctFiles[0], '0008,0060');
  await waitFor('the study to complete', async () => {
    const studies = await api<Array<{ studyInstanceUid: string; state: string }>>('/api/studies');
    return studies.some((s) => s.studyInstanceUid === studyUid && s.state === 'complete') || undefined;
  });
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await browser.newPage());
}

export async function stopAdminSession(): Promise<void> {
  await browser?.close();
  await node?.stop();
}
