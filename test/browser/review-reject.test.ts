// The Review section in Chromium: the reviewer token rejects a result with a reason, and a stale decision.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { focusedId, logIn, outDir, REVIEWER_TOKEN } from './review-support.js';
import { browser, ids, pageErrors, rn, startReviewSession, stopReviewSession } from './review-session.js';

beforeAll(startReviewSession, 300_000);

afterAll(stopReviewSession);

describe('Review section in Chromium', () => {
  it('the reviewer token rejects a result with a reason; it is never sent', async () => {
    const { page: reviewer, errors } = await browser.newPage();
    await logIn(reviewer, rn.node, REVIEWER_TOKEN);
    expect(await reviewer.locator('#role').innerText()).toBe('Reviewer access');
    await reviewer.getByRole('button', { name: `Open result ${ids.reject}` }).click();
    await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
    expect(await reviewer.locator('#reject-reason-error').innerText()).toMatch(/reason is required/);
    expect(await reviewer.getByLabel('Reason for rejecting (required)').getAttribute('aria-invalid')).toBe('true');
    expect(await focusedId(reviewer)).toBe('reject-reason');
    expect((await rn.result(ids.reject)).state).toBe('awaiting-review');
    const reason = 'Lung segment includes bowel gas';
    await reviewer.getByLabel('Reason for rejecting (required)').fill(reason);
    await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
    await reviewer.locator('#review-status', { hasText: `Result #${ids.reject} rejected` }).waitFor();
    const entry = reviewer.locator('table.history tbody tr', { hasText: 'awaiting-review → rejected' });
    expect(await entry.innerText()).toContain(reason);
    const rejected = await rn.result(ids.reject);
    expect(rejected).toMatchObject({ state: 'rejected', deliveries: [] });
    const rejection = rejected.history.find((e) => e.to === 'rejected');
    expect(rejection).toMatchObject({ from: 'awaiting-review', reason });
    expect(await entry.innerText()).toContain(rejection!.actor);
    expect(await reviewer.getByRole('button', { name: 'Run the job again' }).isDisabled()).toBe(true); // a job write
    await reviewer.screenshot({ path: path.join(outDir, 'result-rejected.png'), fullPage: true });

    // A decision on a result that changed under the page shows the server's code, then what it is now.
    await reviewer.getByRole('button', { name: `Open result ${ids.stale}` }).click();
    await reviewer.locator(`article[data-result-id="${ids.stale}"]`).waitFor();
    expect((await rn.api(`/api/results/${ids.stale}/accept`, { method: 'POST' })).status).toBe(200);
    await reviewer.getByRole('button', { name: 'Accept', exact: true }).click();
    await reviewer.locator('#review-status', { hasText: 'RESULT_STATE' }).waitFor();
    await reviewer.locator('#result-title', { hasText: /accepted|delivered/ }).waitFor();
    expect(errors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await reviewer.context().close();
  });
});
