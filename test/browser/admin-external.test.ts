// The admin page and the external AI step, in Debian's Chromium against the real node: a destination is marked
// external (refused without TLS, kept external when edited), and the rule editor takes an external action, flags a
// service that is not external next to the actions box, lists the external services apart and summarises the action.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, snap, unlabelledControls, type BrowserSession } from '../support/browser.js';
import { startNode, type RunningNode } from '../support/node-process.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
let node: RunningNode;
let browser: BrowserSession;
let page: Page;

async function api<T = any>(p: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(node.url(p), {
    ...init, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
  });
  const text = await res.text();
  expect(res.ok, `${p}: ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

const openSection = (name: string) =>
  page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-external-'));
  const rulesFile = path.join(dir, 'no-rules.json');
  fs.writeFileSync(rulesFile, JSON.stringify({ rules: [] }));
  node = await startNode({ admin: { adminToken: ADMIN_TOKEN }, routing: { rulesFile } }, { dataDir: dir });
  const pacs = { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: 'PACS', host: '127.0.0.1', port: 104 };
  await api('/api/destinations', { method: 'POST', body: JSON.stringify(pacs) });
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  await page.goto(node.url('/admin/'));
  await page.getByLabel('Access token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe('admin page: external services and the external action', () => {
  it('marks a destination external, refused without TLS, and keeps it external when edited', async () => {
    await openSection('Destinations');
    await page.getByRole('button', { name: 'New destination' }).click();
    await page.getByLabel('Id', { exact: true }).fill('ext-ai');
    await page.getByLabel('Name', { exact: true }).fill('External AI');
    await page.getByLabel('AE title').fill('EXTERNAL_AI');
    await page.getByLabel('Host').fill('127.0.0.1');
    await page.getByLabel('Port').fill('11112');
    await page.getByLabel('External service').check();
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save destination' }).click();
    await expect.poll(() => page.locator('#destination-editor .field-errors').innerText()).toContain('/tls');
    await page.getByLabel('Use TLS').check();
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.locator('tr[data-destination-id="ext-ai"]').waitFor();
    expect(await page.locator('tr[data-destination-id="ext-ai"]').innerText()).toContain('external');
    expect(await page.locator('tr[data-destination-id="pacs"]').innerText()).not.toContain('external');
    expect(await api('/api/destinations/ext-ai')).toMatchObject({ external: true, tls: true });

    await page.getByRole('button', { name: 'Edit External AI' }).click();
    expect(await page.getByLabel('External service').isChecked()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Cloud AI');
    await page.getByRole('button', { name: 'Save destination' }).click();
    await page.locator('#destinations-status', { hasText: 'Cloud AI' }).waitFor();
    expect(await api('/api/destinations/ext-ai')).toMatchObject({ name: 'Cloud AI', external: true, tls: true });
    await snap(page, 'external-01-destinations');
  });

  it('edits an external action: a service not marked external is flagged, the fixed rule saves', async () => {
    await openSection('Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Id', { exact: true }).fill('ext-ct');
    await page.getByLabel('Name', { exact: true }).fill('CT to the external AI');
    await expect.poll(() => page.locator('.editor .hint').last().innerText()).toContain('External services');
    const hint = await page.locator('.editor .hint').last().innerText();
    expect(hint).toContain('Destinations: reply-to-sender, pacs. '
      + "External services (an external action's service only): ext-ai.");
    const action = { type: 'external', service: 'pacs', series: { pick: 'thinnest' }, destinations: ['pacs'],
      profile: { longitudinal: 'modified' }, timeoutSeconds: 600, review: 'required' };
    await page.getByLabel('Actions (JSON list)').fill(JSON.stringify([action]));
    await expect.poll(() => page.locator('#err-actions').innerText()).toContain('/actions/0/service');
    expect(await page.locator('#err-actions').innerText()).toContain('not marked external');
    expect(await page.locator('#save-rule').isDisabled()).toBe(true);
    await snap(page, 'external-02-service-flagged');

    const badProfile = { ...action, profile: { longitudinal: 'shifted' } };
    await page.getByLabel('Actions (JSON list)').fill(JSON.stringify([badProfile]));
    await expect.poll(() => page.locator('#err-actions').innerText()).toContain('/actions/0/profile/longitudinal');
    await page.getByLabel('Actions (JSON list)').fill(JSON.stringify([{ ...action, service: 'ext-ai' }]));
    await page.waitForFunction(() => !(document.querySelector('#save-rule') as HTMLButtonElement).disabled);
    await page.locator('#save-rule').click();
    await page.locator('#rules-status', { hasText: 'Saved' }).waitFor();
    const row = await page.locator('tr[data-rule-id="ext-ct"]').innerText();
    expect(row)
      .toContain('send thinnest series de-identified to ext-ai, results re-identified → pacs, review required');
    const live = await api<{ rules: any[] }>('/api/rules');
    expect(live.rules[0].actions).toEqual([{ ...action, service: 'ext-ai' }]);
    await snap(page, 'external-03-rule-saved');
  });
});
