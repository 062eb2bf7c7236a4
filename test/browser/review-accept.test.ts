// The Review section in Chromium: held results listed with QC and previews, accepted, delivered once, retracted.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrollsSideways, unlabelledControls } from '../support/browser.js';
import { runTool } from '../support/dcmtk.js';
import { ADMIN_TOKEN, waitFor } from '../support/node-process.js';
import { focusedId, logIn, openSection, outDir, VIEWER_TEMPLATE, type Result } from './review-support.js';
import { ids, page, pageErrors, rn, startReviewSession, stopReviewSession } from './review-session.js';

beforeAll(startReviewSession, 300_000);

afterAll(async () => {
  await stopReviewSession();
  // no errors on the page over the whole session, as the last test checked when one page ran every test
  expect(pageErrors).toEqual([]);
});

describe('Review section in Chromium', () => {
  it('lists the held results with QC, volumes, viewer link and previews that load; nothing was sent', async () => {
    expect(rn.received()).toEqual([]); // held: nothing reaches the archive before a decision
    await logIn(page, rn.node, ADMIN_TOKEN);
    await openSection(page, 'Review');
    const rows = page.locator('#review-queue tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    for (const id of Object.values(ids)) {
      expect(await page.locator(`tr[data-result-id="${id}"]`).innerText()).toContain('awaiting-review');
    }
    await page.getByLabel('Show results in state').selectOption('rejected');
    await page.locator('#review-queue', { hasText: 'No results in state rejected' }).waitFor();
    await page.getByLabel('Show results in state').selectOption('');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);

    // Read before the page opens it: preview titles become the renderer's once the PNGs are drawn.
    const r = await rn.result(ids.accept);
    await page.getByRole('button', { name: `Open result ${ids.accept}` }).click();
    const detail = page.locator(`#review-detail article[data-result-id="${ids.accept}"]`);
    await detail.waitFor();
    const facts = await detail.locator('dl.facts').innerText();
    for (const text of [r.studyInstanceUid, r.modelId, r.ruleId]) expect(facts).toContain(text);
    const viewerUrl = VIEWER_TEMPLATE.replace('{StudyInstanceUID}', r.studyInstanceUid);
    expect(await detail.locator('#viewer-link').getAttribute('href')).toBe(viewerUrl);
    expect(r.qc.state).toBe('failed');
    expect(r.qc.reasons.map((x) => x.segment)).toEqual(['Body']);
    expect(await detail.locator('h3').innerText()).toContain('QC failed');
    expect(await page.locator(`tr[data-result-id="${ids.accept}"]`).innerText()).toContain('QC failed');
    const reasons = await detail.locator('.qc-reasons li').allInnerTexts();
    expect(reasons.length).toBe(r.qc.reasons.length);
    for (const [i, reason] of r.qc.reasons.entries()) {
      expect(reasons[i]).toContain(`${reason.segment} (${reason.check})`);
      expect(reasons[i]).toContain(reason.message.replace(`${reason.segment}: `, ''));
    }
    expect(r.segments.length).toBeGreaterThan(0);
    for (const s of r.segments) {
      const cells = await detail.locator(`table.segments tr[data-segment="${s.label}"] td`).allInnerTexts();
      expect(cells[0]).toBe(s.present ? 'yes' : 'absent');
      expect(cells[2]).toBe(s.qc);
      if (s.volumeMl === null) continue;
      // the page rounds for reading; the figure stays within 1 % of the API's (or 0.01 ml)
      expect(Math.abs(parseFloat(cells[1]!) - s.volumeMl)).toBeLessThanOrEqual(Math.max(0.01 * s.volumeMl, 0.01));
    }

    expect(r.previews.length).toBeGreaterThanOrEqual(2); // an axial slice per segment and a coronal reformat
    const images = detail.locator('figure.preview img');
    // the node renders each preview in a worker on first request: on a busy machine that takes seconds
    await expect.poll(() => images.count(), { timeout: 60_000 }).toBe(r.previews.length);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('figure.preview img')]
      .every((i) => i.complete));
    const loaded = await images.evaluateAll((els) => (els as HTMLImageElement[])
      .map((i) => ({ alt: i.alt, w: i.naturalWidth, h: i.naturalHeight })));
    // Each alt is the API's title (as listed when the page loaded it, or the renderer's once drawn).
    const after = await rn.result(ids.accept);
    for (const [n, img] of loaded.entries()) {
      expect([r.previews[n]!.title, after.previews[n]!.title]).toContain(img.alt);
    }
    expect(await detail.locator('figure.preview figcaption').allInnerTexts()).toEqual(loaded.map((i) => i.alt));
    for (const [n, img] of loaded.entries()) {
      // The size the browser decoded is the size in the PNG header the node served (IHDR width, height).
      const res = await fetch(rn.node.url(r.previews[n]!.url), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.headers.get('content-type')).toMatch(/^image\/png/);
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([img.w, img.h]).toEqual([png.readUInt32BE(16), png.readUInt32BE(20)]);
      expect(img.w).toBeGreaterThan(0);
    }
    await images.first().screenshot({ path: path.join(outDir, 'preview-0.png') });
    await page.screenshot({ path: path.join(outDir, 'result-awaiting-review.png'), fullPage: true });
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await scrollsSideways(page)).toBe(false);
  });

  it('accepts from the keyboard: focus lands on the result, its SEG and SR reach the archive once', async () => {
    await page.locator('#result-title').focus();
    for (let i = 0; i < 20 && await focusedId(page) !== 'review-accept'; i++) await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('review-accept');
    await page.keyboard.press('Enter');
    await page.locator('#review-status', { hasText: `Result #${ids.accept} accepted` }).waitFor();
    expect(await focusedId(page)).toBe('result-title');
    const accepted = await rn.result(ids.accept);
    expect(['accepted', 'delivered']).toContain(accepted.state);
    const acceptance = accepted.history.find((e) => e.to === 'accepted');
    expect(acceptance).toMatchObject({ from: 'awaiting-review', actor: expect.any(String) });
    const delivered = async () => (await rn.result(ids.accept)).state === 'delivered' || undefined;
    await waitFor('the result delivered', delivered, 60_000);
    expect(rn.received().length).toBe(accepted.objects.length);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#result-title', { hasText: 'delivered' }).waitFor();
    expect(await page.locator('table.result-deliveries').innerText()).toMatch(/archive[\s\S]*delivered/);
  });

  it('retracts the delivered result for patient safety; history: delivered → retracted, who, why', async () => {
    const reason = 'Wrong series: the lung mask covers the stomach';
    const before = rn.received().length; // the SEG and SR
    await page.getByRole('button', { name: 'Retract', exact: true }).click(); // an empty reason is refused at the field
    expect(await page.locator('#retract-reason-error').innerText()).toMatch(/reason is required/);
    await page.getByLabel('Reason for retracting (required)').fill(reason);
    await page.getByLabel('Patient safety').check();
    await page.getByRole('button', { name: 'Retract', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, retract' }).click();
    await page.locator('#review-status', { hasText: `Result #${ids.accept} retracted` }).waitFor();
    const entry = page.locator('table.history tbody tr', { hasText: 'delivered → retracted' });
    expect(await entry.innerText()).toContain(reason);
    const retracted = await rn.result(ids.accept);
    expect(retracted.state).toBe('retracted');
    const retraction = retracted.history.find((e) => e.to === 'retracted');
    expect(retraction).toMatchObject({ from: 'delivered', reason: expect.stringContaining(reason) });
    expect(await entry.innerText()).toContain(retraction!.actor);
    // The safety box chose the Rejection Note's title: 113037, read back by DCMTK from what the archive got.
    await waitFor('the Rejection Note delivered', async () => {
      const { deliveries } = await rn.result(ids.accept);
      return (deliveries.length > before && deliveries.every((d) => d.state === 'delivered')) || undefined;
    }, 60_000);
    const files = rn.received();
    expect(files.length).toBe(before + 1);
    const dump = async (f: string) => (await runTool('dcmdump', [path.join(rn.scp.dir, f)])).stdout;
    const dumps = await Promise.all(files.map(dump));
    const kos = dumps.filter((d) => /\(0008,0060\) CS \[KO\]/.test(d));
    expect(kos.length).toBe(1);
    expect(kos[0]).toContain('113037');
    expect(kos[0]).not.toContain('113001');
    await page.screenshot({ path: path.join(outDir, 'result-retracted.png'), fullPage: true });

    // Running the job again gives a new revision with new UIDs, held for review like the first.
    await page.getByRole('button', { name: 'Run the job again' }).click();
    await page.locator('#review-status', { hasText: 'queued again' }).waitFor();
    const again = await waitFor('revision 2 awaiting review', async () => {
      const held = (await rn.api<Result[]>('/api/results?state=awaiting-review')).body;
      return held.find((x) => x.jobId === retracted.jobId && x.revision === 2);
    }, 120_000);
    const uids = (x: Result) => x.objects.map((o) => o.sopInstanceUid);
    const second = await rn.result(again.id);
    expect(uids(second).filter((u) => uids(retracted).includes(u))).toEqual([]);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator(`tr[data-result-id="${again.id}"]`, { hasText: 'awaiting-review' }).waitFor();
  }, 240_000);
});
