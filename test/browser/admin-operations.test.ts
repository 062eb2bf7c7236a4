// The admin page's operations in Chromium: destinations verified, dashboard, a job, rule order, read-only token.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrollsSideways, snap, unlabelledControls } from '../support/browser.js';
import { storescu } from '../support/dcmtk.js';
import { freePort, testdata, waitFor } from '../support/node-process.js';
import {
  ADMIN_TOKEN, api, apiWrite, browser, dcmdumpValue, logIn, modality, node, openSection, page, pageErrors,
  READ_ONLY_TOKEN, startAdminSession, stopAdminSession, studyUid,
} from './admin-support.js';

beforeAll(async () => {
  await startAdminSession();
  // Where admin-rules.test.ts leaves the node: the ct-lung rule as saved from the editor, and the page logged in.
  await apiWrite('POST', '/api/rules', {
    id: 'ct-lung', name: 'CT: body and lung masks', enabled: true, priority: 100, then: 'continue',
    when: { all: [{ attribute: 'Modality', op: 'equals', value: modality }] },
    actions: [{ type: 'runModel', model: 'ct-body-lung', series: { pick: 'thinnest' }, outputs: ['SEG', 'SR'],
      destinations: ['reply-to-sender'] }],
  });
  await logIn(page, ADMIN_TOKEN);
  await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor();
});

afterAll(stopAdminSession);

describe('admin page in Chromium', () => {
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
