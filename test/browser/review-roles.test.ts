// Roles and the destination wait on the Review page in Chromium: the reviewer token cannot edit rules
// or destinations (and the API refuses it), the read-only token cannot decide, and a result held for
// want of a destination is released from the page once the destination exists.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, scrollsSideways, snap, unlabelledControls, type BrowserSession } from '../support/browser.js';
import { ADMIN_TOKEN, READ_ONLY_TOKEN, waitFor } from '../support/node-process.js';
import {
  focusedId, logIn, openSection, REVIEWER_TOKEN, startReviewNode, type ReviewNode, type Result,
} from './review-support.js';

const SENDER = 'NEWMODALITY'; // no destination has this AE title until the last test adds one
let rn: ReviewNode;
let browser: BrowserSession;
let waiting: Result;

beforeAll(async () => {
  rn = await startReviewNode({ destinations: ['reply-to-sender'] });
  await rn.sendStudy('no-destination', SENDER);
  const [summary] = await rn.resultsIn('awaiting-destination', 1);
  waiting = await rn.result(summary!.id); // the detail lists the previews
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await rn?.stop();
});

async function openWaiting(page: Page): Promise<void> {
  await openSection(page, 'Review');
  await page.getByRole('button', { name: `Open result ${waiting.id}` }).click();
  await page.locator(`article[data-result-id="${waiting.id}"]`).waitFor();
}

describe('Review page roles and the destination wait', () => {
  it('the reviewer token cannot edit rules or destinations, and the API refuses its rule writes', async () => {
    const { page, errors } = await browser.newPage();
    await logIn(page, rn.node, REVIEWER_TOKEN);
    await page.getByRole('heading', { name: 'Review', exact: true }).waitFor(); // a reviewer starts at the queue
    expect(await page.locator('#role').innerText()).toBe('Reviewer access');
    await openSection(page, 'Rules');
    await page.locator('tr[data-rule-id="ct-reviewed"]').waitFor();
    expect(await page.getByRole('button', { name: 'New rule' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Delete CT body and lung, reviewed' }).isDisabled()).toBe(true);
    expect(await page.locator('tr[data-rule-id="ct-reviewed"] input[type="checkbox"]').isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Edit CT body and lung, reviewed' }).click();
    expect(await page.locator('#save-rule').isDisabled()).toBe(true);
    expect(await page.getByLabel('Actions (JSON list)').getAttribute('readonly')).not.toBeNull();
    await snap(page, '30-reviewer-rule-read-only');
    await openSection(page, 'Destinations');
    expect(await page.getByRole('button', { name: 'Edit Reference archive' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'New destination' }).isDisabled()).toBe(true);

    const live = (await rn.api<{ rules: any[] }>('/api/rules')).body.rules[0];
    const put = await rn.api<{ code: string }>('/api/rules/ct-reviewed',
      { method: 'PUT', token: REVIEWER_TOKEN, body: JSON.stringify({ ...live, enabled: false }) });
    expect(put).toMatchObject({ status: 403, body: { code: 'AUTH_FORBIDDEN' } });
    expect((await rn.api<{ rules: any[] }>('/api/rules')).body.rules[0].enabled).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the read-only token sees the waiting result but its Release is disabled', async () => {
    const { page, errors } = await browser.newPage();
    await logIn(page, rn.node, READ_ONLY_TOKEN);
    await openWaiting(page);
    const release = page.getByRole('button', { name: 'Release', exact: true });
    expect(await release.isDisabled()).toBe(true);
    expect(await release.getAttribute('aria-describedby')).toBe('read-only-note');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a result waiting for a destination: Release shows the refusal, then sends once it exists', async () => {
    const { page, errors } = await browser.newPage();
    await logIn(page, rn.node, ADMIN_TOKEN);
    await openWaiting(page);
    expect(waiting.heldReason).toMatch(/NO_REPLY_DESTINATION/);
    expect(await page.locator(`tr[data-result-id="${waiting.id}"] td.why`).innerText()).toBe(waiting.heldReason);
    const images = page.locator('figure.preview img');
    await expect.poll(() => images.count(), { timeout: 60_000 }).toBe(waiting.previews.length);
    expect(await unlabelledControls(page)).toEqual([]);

    await page.getByRole('button', { name: 'Release', exact: true }).click();
    await page.locator('#review-status', { hasText: 'RESULT_NO_DESTINATION' }).waitFor();
    expect(await focusedId(page)).toBe('review-release'); // focus stays where the keyboard was
    expect((await rn.result(waiting.id)).state).toBe('awaiting-destination');

    const modality = {
      id: 'new-modality', name: 'The new modality', type: 'dimse', aeTitle: SENDER,
      host: '127.0.0.1', port: rn.scp.port,
    };
    expect((await rn.api('/api/destinations', { method: 'POST', body: JSON.stringify(modality) })).status).toBe(201);
    await page.keyboard.press('Enter');
    await page.locator('#review-status', { hasText: `Result #${waiting.id} released` }).waitFor();
    const delivered = await waitFor('the released result delivered', async () => {
      const r = await rn.result(waiting.id);
      return r.state === 'delivered' ? r : undefined;
    }, 60_000);
    expect(rn.received().length).toBe(delivered.objects.length);
    expect(delivered.history.find((e) => e.to === 'accepted')).toMatchObject({ from: 'awaiting-destination' });

    // The dashboard shows the job's result state and QC, and leads back to the result.
    await openSection(page, 'Dashboard');
    const row = page.locator(`#jobs tr[data-job-id="${waiting.jobId}"]`);
    const badges = new RegExp(`delivered[\\s\\S]*QC ${delivered.qc.state}`);
    await expect.poll(() => row.locator('.result-badges').innerText(), { timeout: 10_000 }).toMatch(badges);
    expect(await scrollsSideways(page)).toBe(false);
    await snap(page, '31-dashboard-result-badges');
    await row.getByRole('button', { name: `Open result ${waiting.id} in Review` }).click();
    await page.locator(`article[data-result-id="${waiting.id}"] #result-title`, { hasText: 'delivered' }).waitFor();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
