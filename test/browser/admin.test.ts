// The admin page in Debian's Chromium against the real node: log in, write a rule with a mistake and
// see it flagged, fix and save it, dry-run it on a study sent with DCMTK, change it, diff and roll back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, scrollsSideways, snap, unlabelledControls, type BrowserSession } from '../support/browser.js';
import { runTool, storescu } from '../support/dcmtk.js';
import { freePort, startNode, testdata, waitFor, type RunningNode } from '../support/node-process.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const READ_ONLY_TOKEN = 'read-only-token-for-tests-012345';
const ctFiles = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));

let node: RunningNode;
let browser: BrowserSession;
let page: Page;
let pageErrors: string[];
let studyUid: string;
let modality: string;
let versionWithRule: number;

async function api<T = any>(p: string): Promise<T> {
  const res = await fetch(node.url(p), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status, `GET ${p}`).toBe(200);
  return (await res.json()) as T;
}

async function apiWrite<T = any>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(node.url(p), {
    method, headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${p}: ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

/** A DICOM attribute as DCMTK's dcmdump reads it: expectations come from an independent reader. */
async function dcmdumpValue(file: string, tag: string): Promise<string> {
  const r = await runTool('dcmdump', ['+P', tag, file]);
  const m = /\[([^\]]*)\]/.exec(r.stdout);
  if (!m) throw new Error(`dcmdump found no ${tag} in ${file}: ${r.stdout}${r.stderr}`);
  return m[1];
}

async function logIn(p: Page, tokenValue: string): Promise<void> {
  await p.goto(node.url('/admin/'));
  await p.getByLabel('Access token').fill(tokenValue);
  await p.getByRole('button', { name: 'Log in' }).click();
}

async function openSection(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();
}

beforeAll(async () => {
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
});

afterAll(async () => {
  await browser?.close();
  await node?.stop();
});

describe('admin page in Chromium', () => {
  it('refuses a wrong token, then logs in with the admin token', async () => {
    await logIn(page, 'not-the-token-at-all-000000');
    await expect.poll(() => page.locator('#login-message').innerText()).toMatch(/refused the token/);
    // logged out: no section navigation and no session controls on screen
    expect(await page.getByRole('navigation', { name: 'Sections' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(false);
    await snap(page, '01-login-refused');
    await page.getByLabel('Access token').fill(ADMIN_TOKEN);
    await page.getByLabel('Access token').press('Enter'); // the keyboard alone logs in
    await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
    expect(await page.locator('#role').innerText()).toBe('Admin access');
    expect(await page.locator('#rules-list').innerText()).toMatch(/No rules yet/);
    await snap(page, '02-rules-empty');
  });

  it('flags a deliberate error next to the field its path points into and keeps Save disabled', async () => {
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Id', { exact: true }).fill('ct-lung');
    await page.getByLabel('Name', { exact: true }).fill('CT: body and lung masks');
    await page.getByLabel('After a match').selectOption('continue');
    await page.getByLabel('When (JSON condition)').fill(
      '{"all":[{"attribute":"SliceThickness","op":"<","value":"thin"}]}');
    await page.locator('#err-when li').first().waitFor();
    expect(await page.locator('#err-when').innerText()).toContain('/when/all/0');
    expect(await page.locator('#err-actions li').count()).toBe(0);
    expect(await page.getByLabel('When (JSON condition)').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#rule-problems').innerText()).toContain('/when/all/0');
    expect(await page.locator('#save-rule').isDisabled()).toBe(true);
    expect(await unlabelledControls(page)).toEqual([]);
    await snap(page, '03-rule-flagged');

    // An unknown model is a problem of the actions box, not of the condition.
    await page.getByLabel('When (JSON condition)').fill(
      `{"all":[{"attribute":"Modality","op":"equals","value":"${modality}"}]}`);
    const actions = await page.getByLabel('Actions (JSON list)').inputValue();
    await page.getByLabel('Actions (JSON list)').fill(actions.replace('"ct-body-lung"', '"no-such-model"'));
    await expect.poll(() => page.locator('#err-actions').innerText()).toContain('/actions/0');
    expect(await page.locator('#err-when li').count()).toBe(0);
    expect(await page.locator('#save-rule').isDisabled()).toBe(true);
    await snap(page, '04-unknown-model-flagged');
  });

  it('saves the fixed rule, lists it, and the API has it', async () => {
    const actions = await page.getByLabel('Actions (JSON list)').inputValue();
    await page.getByLabel('Actions (JSON list)').fill(actions.replace('"no-such-model"', '"ct-body-lung"'));
    await page.waitForFunction(() => !(document.querySelector('#save-rule') as HTMLButtonElement).disabled);
    expect(await page.locator('#err-when li, #err-actions li').count()).toBe(0);
    await page.locator('#save-rule').click();
    await page.locator('#rules-status', { hasText: 'Saved' }).waitFor();
    const row = page.locator('tr[data-rule-id="ct-lung"]');
    expect(await row.innerText()).toContain('CT: body and lung masks');
    const live = await api<{ version: number; rules: any[] }>('/api/rules');
    expect(live.rules.map((r) => r.id)).toEqual(['ct-lung']);
    expect(live.rules[0].when).toEqual({ all: [{ attribute: 'Modality', op: 'equals', value: modality }] });
    expect(live.rules[0].actions[0].model).toBe('ct-body-lung');
    expect(live.rules[0].then).toBe('continue');
    versionWithRule = live.version;
    expect(await scrollsSideways(page)).toBe(false);
    await snap(page, '05-rule-saved');
  });

  it('dry-runs the received study: passing and failing conditions with their actual values', async () => {
    // A second rule, still in the editor, tried against the study before it is saved.
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Id', { exact: true }).fill('mr-only');
    await page.getByLabel('Name', { exact: true }).fill('MR only');
    await page.getByLabel('When (JSON condition)').fill(
      '{"all":[{"attribute":"Modality","op":"equals","value":"MR"}]}');
    await page.getByLabel('Actions (JSON list)').fill('[{"type":"discard"}]');
    await page.getByRole('button', { name: 'Try in tester' }).click();
    await page.getByRole('heading', { name: 'Rule tester (dry run)' }).waitFor();
    expect(await page.getByLabel(/rule being edited/).isChecked()).toBe(true);
    await page.getByLabel('Recent study').selectOption(studyUid);
    await page.getByRole('button', { name: 'Test this study' }).click();
    const saved = page.locator('.outcome[data-rule-id="ct-lung"]');
    const draft = page.locator('.outcome[data-rule-id="mr-only"]');
    await draft.waitFor();
    expect(await saved.locator('h4 .badge').innerText()).toBe('matched');
    const passing = saved.locator('table.trace tr[data-scope="study"]', { hasText: 'Modality' });
    expect(await passing.locator('td.actual').innerText()).toContain(modality);
    expect(await passing.innerText()).toContain('passed');
    expect((await passing.locator('td.why').innerText()).trim()).not.toBe('');
    expect(await saved.innerText()).toContain('run ct-body-lung');
    expect(await draft.locator('h4 .badge').innerText()).toBe('not matched');
    const failing = draft.locator('table.trace tr[data-scope="study"]', { hasText: 'Modality' });
    expect(await failing.locator('td.actual').innerText()).toContain(modality);
    expect(await failing.innerText()).toContain('failed');
    expect(await scrollsSideways(page)).toBe(false);
    expect(await unlabelledControls(page)).toEqual([]);
    await snap(page, '06-tester');
    // Over the last day, the draft (which matches no CT) would route the one study no differently.
    await page.getByRole('button', { name: 'Compare over recent studies' }).click();
    await expect.poll(() => page.locator('#impact-status').innerText()).toMatch(
      /^Checked 1 study .*: 0 would be routed differently/);
    // The draft was never saved.
    expect((await api<{ rules: any[] }>('/api/rules')).rules.map((r) => r.id)).toEqual(['ct-lung']);
  });

  it('shows a second change as a diff in History and rolls back to the earlier version', async () => {
    await openSection('Rules');
    await page.locator('tr[data-rule-id="ct-lung"] input[type="checkbox"]').uncheck();
    await page.locator('#rules-status', { hasText: 'Disabled' }).waitFor();
    expect((await api<{ rules: any[] }>('/api/rules')).rules[0].enabled).toBe(false);
    await snap(page, '07-rule-disabled');

    await openSection('History');
    await page.getByRole('button', { name: `Compare version ${versionWithRule} with current` }).click();
    const diff = page.locator('pre.diff');
    await diff.waitFor();
    expect(await diff.locator('.line.removed').allInnerTexts()).toContainEqual(
      expect.stringMatching(/^- +"enabled": true,$/));
    expect(await diff.locator('.line.added').allInnerTexts()).toContainEqual(
      expect.stringMatching(/^\+ +"enabled": false,$/));
    expect(await scrollsSideways(page)).toBe(false);
    await snap(page, '08-history-diff');

    await page.getByRole('button', { name: `Roll back to version ${versionWithRule}` }).first().click();
    await page.getByRole('button', { name: 'Confirm rollback' }).click();
    await page.locator('#history-status', { hasText: 'Rolled back' }).waitFor();
    const [live, old] = await Promise.all(
      [api<{ rules: any[] }>('/api/rules'), api<{ rules: any[] }>(`/api/rules/versions/${versionWithRule}`)]);
    expect(live.rules).toEqual(old.rules);
    expect(live.rules[0].enabled).toBe(true);
    await snap(page, '09-rolled-back');
  });

  it('tests a chosen DICOM file against the live rules', async () => {
    await openSection('Tester');
    await page.getByLabel('DICOM file').setInputFiles(ctFiles[1]);
    await page.getByRole('button', { name: 'Test this file' }).click();
    const outcome = page.locator('.outcome[data-rule-id="ct-lung"]');
    await outcome.waitFor();
    expect(await page.locator('#tester-result h3').innerText()).toContain('02.dcm');
    const row = outcome.locator('table.trace tr[data-scope="study"]', { hasText: 'Modality' });
    expect(await row.locator('td.actual').innerText()).toContain(modality);
    expect(await row.innerText()).toContain('passed');
    await snap(page, '10-tester-file');

    // Dropping a file on the drop zone runs the same dry run.
    const bytes = fs.readFileSync(ctFiles[2]).toString('base64');
    await page.locator('#tester-drop').evaluate((zone, b64) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], '03.dcm',
        { type: 'application/dicom' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, bytes);
    await expect.poll(() => page.locator('#tester-result h3').innerText()).toContain('03.dcm');
    expect(await page.locator('.outcome[data-rule-id="ct-lung"] h4 .badge').innerText()).toBe('matched');
  });

  it('adds DIMSE destinations and verifies them with a C-ECHO: the node itself answers, a closed port does not',
    async () => {
      await openSection('Destinations');
      const closedPort = await freePort();
      const add = async (id: string, host: string, port: number) => {
        await page.getByRole('button', { name: 'New destination' }).click();
        await page.getByLabel('Id', { exact: true }).fill(id);
        await page.getByLabel('Name', { exact: true }).fill(`PACS ${id}`);
        await page.getByLabel('AE title').fill(node.aeTitle);
        await page.getByLabel('Host').fill(host);
        await page.getByLabel('Port').fill(String(port));
        await page.getByRole('button', { name: 'Save destination' }).click();
      };
      await add('bad-host', '', node.dimsePort);
      await expect.poll(() => page.locator('#destination-editor .field-errors').innerText()).toContain('/host');
      expect(await unlabelledControls(page)).toEqual([]);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await add('self', '127.0.0.1', node.dimsePort);
      await page.locator('#destinations-status', { hasText: 'Saved' }).waitFor();
      await add('closed', '127.0.0.1', closedPort);
      await page.locator('tr[data-destination-id="closed"]').waitFor();
      await page.getByRole('button', { name: 'Verify PACS self' }).click();
      await page.getByRole('button', { name: 'Verify PACS closed' }).click();
      const selfResult = page.locator('tr[data-destination-id="self"] .verify-result');
      const closedResult = page.locator('tr[data-destination-id="closed"] .verify-result');
      await expect.poll(() => selfResult.innerText(), { timeout: 15_000 }).toMatch(/^✓ ok in \d+ ms/);
      await expect.poll(() => closedResult.innerText(), { timeout: 15_000 }).toMatch(/^✗ failed in \d+ ms — .*\S/);
      expect((await api<Array<{ id: string }>>('/api/destinations')).map((d) => d.id).sort()).toEqual(
        ['closed', 'self']);
      expect(await scrollsSideways(page)).toBe(false);
      await snap(page, '11-destinations');
      await page.getByRole('button', { name: 'Delete PACS closed' }).click();
      await page.getByRole('button', { name: 'Yes, delete' }).click();
      await page.locator('#destinations-status', { hasText: 'Deleted' }).waitFor();
      expect((await api<Array<{ id: string }>>('/api/destinations')).map((d) => d.id)).toEqual(['self']);
    });

  it('lists the received study on the dashboard', async () => {
    await openSection('Dashboard');
    const row = page.locator('#studies tr', { hasText: studyUid.slice(-20) });
    await row.waitFor();
    expect(await row.innerText()).toMatch(/complete/);
    expect(await scrollsSideways(page)).toBe(false);
    await snap(page, '12-dashboard');
  });

  it('shows a routed job with its stage timings, and cancels and retries it', async () => {
    // Setup over the API: CT studies go to the 3D U-Net, which needs 16 slices; a one-slice CT makes the
    // runner fail the job (TOO_FEW_SLICES) and it stays put.
    await apiWrite('POST', '/api/rules/ct-lung/disable');
    await apiWrite('POST', '/api/rules', {
      id: 'route-ct', name: 'Route CT', enabled: true, priority: 5, then: 'stop',
      when: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }] },
      actions: [{ type: 'runModel', model: 'unet3d-bench', series: { pick: 'all' }, outputs: ['SEG', 'SR'],
        destinations: ['reply-to-sender'] }],
    });
    const file = path.join(testdata, 'pydicom/CT_small.dcm');
    const otherStudy = await dcmdumpValue(file, '0020,000d');
    expect((await storescu(node.dimsePort, [file])).code).toBe(0);
    const job = await waitFor('a failed job', async () =>
      (await api<any[]>(`/api/jobs?studyUid=${otherStudy}`)).find((j) => j.state === 'failed'));
    expect(job).toMatchObject({ action: 'runModel', ruleId: 'route-ct' });
    expect(job.reason).toMatch(/TOO_FEW_SLICES/);

    await openSection('Dashboard');
    const row = page.locator(`#jobs tr[data-job-id="${job.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(/route-ct/);
    expect(job.node, 'the node that ran the job').toMatch(/-\d+$/); // hostname-dicomPort: no node.id configured
    expect(await row.innerText()).toContain(job.node);
    expect(await row.locator('.stages').innerText()).toMatch(/route: \d+ ms/);
    await row.getByRole('button', { name: `Cancel job ${job.id}` }).click();
    await page.locator('#dashboard-status', { hasText: 'cancelled' }).waitFor();
    expect((await api<any[]>(`/api/jobs?studyUid=${otherStudy}`))[0].state).toBe('cancelled');
    expect(await row.locator('.badge').innerText()).toBe('cancelled');
    await snap(page, '13-job-cancelled');
    await row.getByRole('button', { name: `Retry job ${job.id}` }).click();
    await page.locator('#dashboard-status', { hasText: 'queued again' }).waitFor();
    expect((await api<any[]>(`/api/jobs?studyUid=${otherStudy}`))[0].state).not.toBe('cancelled');
    expect(await scrollsSideways(page)).toBe(false);
    await snap(page, '14-job-retried');
  });

  it('lists rules in evaluation order and moving one up rewrites the priorities', async () => {
    await openSection('Rules');
    const order = () => page.locator('#rules-list tbody tr').evaluateAll(
      (rows) => rows.map((r) => (r as HTMLElement).dataset.ruleId));
    await expect.poll(order).toEqual(['route-ct', 'ct-lung']); // priority 5 runs before 100
    await page.getByRole('button', { name: 'Move CT: body and lung masks up' }).click();
    await page.locator('#rules-status', { hasText: 'Moved' }).waitFor();
    await expect.poll(order).toEqual(['ct-lung', 'route-ct']);
    const live = await api<{ rules: Array<{ id: string; priority: number }> }>('/api/rules');
    expect(Object.fromEntries(live.rules.map((r) => [r.id, r.priority]))).toEqual({ 'ct-lung': 10, 'route-ct': 20 });
    await snap(page, '15-reordered');
  });

  it('with the read-only token, write controls are disabled and say why', async () => {
    const { page: reader } = await browser.newPage();
    await logIn(reader, READ_ONLY_TOKEN);
    await reader.locator('tr[data-rule-id="ct-lung"]').waitFor();
    expect(await reader.locator('#role').innerText()).toBe('Read-only access');
    const newRule = reader.getByRole('button', { name: 'New rule' });
    expect(await newRule.isDisabled()).toBe(true);
    expect(await newRule.getAttribute('aria-describedby')).toBe('read-only-note');
    expect(await reader.locator('#read-only-note').innerText()).toMatch(/changes are disabled/);
    expect(await reader.getByRole('button', { name: 'Delete CT: body and lung masks' }).isDisabled()).toBe(true);
    await snap(reader, '16-read-only');
    await reader.context().close();
  });

  it('a token the node refuses mid-session returns to the login form', async () => {
    await page.evaluate(() => sessionStorage.setItem('dicom-ai-node.admin-token', 'revoked-token-0000000000'));
    await openSection('Rules');
    await page.locator('#login-message', { hasText: 'refused the token' }).waitFor();
    expect(await page.getByLabel('Access token').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
