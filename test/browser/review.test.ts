// The Review section in Chromium against the real node: results a rule holds with review "required"
// are listed with their previews, accepted from the keyboard (then delivered once and retracted),
// rejected with a reason by the reviewer token, which cannot edit rules or destinations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCtSeries } from '../../src/synthetic/index.js';
import { launchBrowser, unlabelledControls, type BrowserSession } from '../support/browser.js';
import { runTool, startReferenceScp, storescu } from '../support/dcmtk.js';
import {
  ADMIN_TOKEN, READ_ONLY_TOKEN, repoRoot, startNode, waitFor, type RunningNode,
} from '../support/node-process.js';

const REVIEWER_TOKEN = 'reviewer-token-for-tests-0123456';
const VIEWER_TEMPLATE = 'http://viewer.invalid/viewer?StudyInstanceUIDs={StudyInstanceUID}';
const outDir = path.join(repoRoot, 'test-output/review');

interface Result {
  id: number; state: string; studyInstanceUid: string; modelId: string; ruleId: string; viewerUrl: string | null;
  qc: { state: string; reasons: Array<{ segment: string; message: string }> };
  segments: Array<{ label: string; present: boolean; volumeMl: number | null }>;
  previews: Array<{ n: number; title: string; url: string }>;
  objects: Array<{ sopInstanceUid: string }>;
  deliveries: Array<{ state: string }>;
  history: Array<{ actor: string; action: string; from: string | null; to: string; reason: string | null }>;
}

let node: RunningNode;
let browser: BrowserSession;
let page: Page;
let pageErrors: string[];
let scp: Awaited<ReturnType<typeof startReferenceScp>>;
/** Result ids of the three studies: accepted then retracted, rejected, accepted behind the page's back. */
let ids: { accept: number; reject: number; stale: number };

type Init = RequestInit & { token?: string };
async function api<T = any>(p: string, init: Init = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(node.url(p), {
    ...init, headers: { Authorization: `Bearer ${init.token ?? ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
const result = async (id: number) => (await api<Result>(`/api/results/${id}`)).body;
const received = () => fs.readdirSync(scp.dir).filter((f) => !f.startsWith('.'));

async function logIn(p: Page, tokenValue: string): Promise<void> {
  await p.goto(node.url('/admin/'));
  await p.getByLabel('Access token').fill(tokenValue);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('navigation', { name: 'Sections' }).waitFor();
}
const openSection = (p: Page, name: string) =>
  p.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name }).click();

beforeAll(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  scp = await startReferenceScp();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-page-'));
  fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify({ rules: [] }));
  node = await startNode({
    admin: { adminToken: ADMIN_TOKEN, readOnlyToken: READ_ONLY_TOKEN, reviewerToken: REVIEWER_TOKEN },
    routing: { rulesFile: path.join(dir, 'rules.json') },
    review: { viewerUrlTemplate: VIEWER_TEMPLATE },
    completion: { seriesQuietSeconds: 0.5, studyQuietSeconds: 1, sweepIntervalMs: 100 },
    runner: { pollIntervalMs: 200 },
    export: { retry: { baseSeconds: 0.2, maxSeconds: 0.5, maxAttempts: 10 } },
  }, { dataDir: dir });
  const archive = {
    id: 'archive', name: 'Reference archive', type: 'dimse', aeTitle: 'REFSCP', host: '127.0.0.1', port: scp.port,
  };
  expect((await api('/api/destinations', { method: 'POST', body: JSON.stringify(archive) })).status).toBe(201);
  const rule = {
    id: 'ct-reviewed', name: 'CT body and lung, reviewed', enabled: true, priority: 10, then: 'stop',
    when: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }] },
    actions: [{ type: 'runModel', model: 'ct-body-lung', series: { pick: 'thinnest' }, outputs: ['SEG', 'SR'],
      destinations: ['archive'], review: 'required' }],
  };
  const created = await api('/api/rules', { method: 'POST', body: JSON.stringify(rule) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const studies: string[] = [];
  for (const name of ['accept', 'reject', 'stale']) {
    const series = await writeSyntheticCtSeries(path.join(dir, name),
      { slices: 24, rows: 64, columns: 64, pixelSpacing: 1.5, sliceSpacing: 1.5 });
    const sent = await storescu(node.dimsePort, series.files);
    expect(sent.code, sent.stderr).toBe(0);
    studies.push(series.studyInstanceUid);
  }
  const held = await waitFor('three results awaiting review', async () => {
    const r = await api<Result[]>('/api/results?state=awaiting-review');
    return r.status === 200 && r.body.length === 3 ? r.body : undefined;
  }, 240_000);
  const idOf = (study: string) => held.find((r) => r.studyInstanceUid === study)!.id;
  ids = { accept: idOf(studies[0]!), reject: idOf(studies[1]!), stale: idOf(studies[2]!) };
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await browser.newPage());
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  scp?.stop();
});

describe('Review section in Chromium', () => {
  it('lists the held results with QC, volumes, viewer link and previews that load; nothing was sent', async () => {
    expect(received()).toEqual([]);
    await logIn(page, ADMIN_TOKEN);
    await openSection(page, 'Review');
    const rows = page.locator('#review-queue tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    for (const id of Object.values(ids)) {
      expect(await page.locator(`tr[data-result-id="${id}"]`).innerText()).toContain('awaiting-review');
    }
    await page.getByLabel('Show results in state').selectOption('rejected');
    await page.locator('#review-queue', { hasText: 'No results in state rejected' }).waitFor();
    await page.getByLabel('Show results in state').selectOption('');
    await expect.poll(() => rows.count()).toBe(3);

    await page.getByRole('button', { name: `Open result ${ids.accept}` }).click();
    const detail = page.locator(`#review-detail article[data-result-id="${ids.accept}"]`);
    await detail.waitFor();
    const r = await result(ids.accept);
    const facts = await detail.locator('dl.facts').innerText();
    for (const text of [r.studyInstanceUid, r.modelId, r.ruleId]) expect(facts).toContain(text);
    const viewerUrl = VIEWER_TEMPLATE.replace('{StudyInstanceUID}', r.studyInstanceUid);
    expect(await detail.locator('#viewer-link').getAttribute('href')).toBe(viewerUrl);
    expect(await detail.locator('h3').innerText()).toContain(`QC ${r.qc.state}`);
    for (const reason of r.qc.reasons) {
      expect(await detail.locator('.qc-reasons').innerText()).toContain(reason.message);
    }
    expect(r.segments.length).toBeGreaterThan(0);
    for (const s of r.segments) {
      const cells = await detail.locator(`table.segments tr[data-segment="${s.label}"] td`).allInnerTexts();
      expect(cells[0]).toBe(s.present ? 'yes' : 'absent');
      if (s.volumeMl === null) continue;
      // the page rounds for reading; the figure stays within 1 % of the API's (or 0.01 ml)
      expect(Math.abs(parseFloat(cells[1]!) - s.volumeMl)).toBeLessThanOrEqual(Math.max(0.01 * s.volumeMl, 0.01));
    }

    expect(r.previews.length).toBeGreaterThanOrEqual(2); // an axial slice per segment and a coronal reformat
    const images = detail.locator('figure.preview img');
    await expect.poll(() => images.count()).toBe(r.previews.length);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('figure.preview img')]
      .every((i) => i.complete));
    const loaded = await images.evaluateAll((els) => (els as HTMLImageElement[])
      .map((i) => ({ alt: i.alt, w: i.naturalWidth, h: i.naturalHeight })));
    expect(loaded.map((i) => i.alt)).toEqual(r.previews.map((p) => p.title));
    for (const [n, img] of loaded.entries()) {
      // The size the browser decoded is the size in the PNG header the node served (IHDR width, height).
      const res = await fetch(node.url(r.previews[n]!.url), { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.headers.get('content-type')).toMatch(/^image\/png/);
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect([img.w, img.h]).toEqual([png.readUInt32BE(16), png.readUInt32BE(20)]);
      expect(img.w).toBeGreaterThan(0);
    }
    await images.first().screenshot({ path: path.join(outDir, 'preview-0.png') });
    await page.screenshot({ path: path.join(outDir, 'result-awaiting-review.png'), fullPage: true });
    expect(await unlabelledControls(page)).toEqual([]);
  });

  it('accepts from the keyboard: focus lands on the result, its SEG and SR reach the archive once', async () => {
    await page.locator('#result-title').focus();
    const focused = () => page.evaluate(() => document.activeElement?.id);
    for (let i = 0; i < 20 && await focused() !== 'review-accept'; i++) await page.keyboard.press('Tab');
    expect(await focused()).toBe('review-accept');
    await page.keyboard.press('Enter');
    await page.locator('#review-status', { hasText: `Result #${ids.accept} accepted` }).waitFor();
    expect(await focused()).toBe('result-title');
    const accepted = await result(ids.accept);
    expect(['accepted', 'delivered']).toContain(accepted.state);
    expect(accepted.history.at(-1)).toMatchObject({ action: 'accept', from: 'awaiting-review', to: 'accepted' });
    const delivered = async () => (await result(ids.accept)).state === 'delivered' || undefined;
    await waitFor('the result delivered', delivered, 60_000);
    expect(received().length).toBe(accepted.objects.length);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('#result-title', { hasText: 'delivered' }).waitFor();
    expect(await page.locator('table.result-deliveries').innerText()).toMatch(/archive[\s\S]*delivered/);
  });

  it('retracts the delivered result for patient safety; history: delivered → retracted, who, why', async () => {
    const reason = 'Wrong series: the lung mask covers the stomach';
    await page.getByRole('button', { name: 'Retract', exact: true }).click(); // an empty reason is refused at the field
    expect(await page.locator('#retract-reason-error').innerText()).toMatch(/reason is required/);
    await page.getByLabel('Reason for retracting (required)').fill(reason);
    await page.getByLabel('Patient safety').check();
    await page.getByRole('button', { name: 'Retract', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, retract' }).click();
    await page.locator('#review-status', { hasText: `Result #${ids.accept} retracted` }).waitFor();
    const entry = page.locator('table.history tr[data-action="retract"]');
    expect(await entry.innerText()).toContain('delivered → retracted');
    expect(await entry.innerText()).toContain(reason);
    const retracted = await result(ids.accept);
    expect(retracted.state).toBe('retracted');
    expect(retracted.history.at(-1)).toMatchObject({ from: 'delivered', to: 'retracted', reason });
    expect(await entry.innerText()).toContain(retracted.history.at(-1)!.actor);
    // The safety box chose the Rejection Note's title: 113037, read back by DCMTK from what the archive got.
    const dumps = await waitFor('the Rejection Note in the archive', async () => {
      const files = received();
      if (files.length <= retracted.objects.length) return undefined;
      return Promise.all(files.map(async (f) => (await runTool('dcmdump', [path.join(scp.dir, f)])).stdout));
    }, 60_000);
    const kos = dumps.filter((d) => /\(0008,0060\) CS \[KO\]/.test(d));
    expect(kos.length).toBe(1);
    expect(kos[0]).toContain('113037');
    await page.screenshot({ path: path.join(outDir, 'result-retracted.png'), fullPage: true });
  });

  it('the reviewer token rejects a result with a reason; it is never sent', async () => {
    const { page: reviewer, errors } = await browser.newPage();
    await logIn(reviewer, REVIEWER_TOKEN);
    expect(await reviewer.locator('#role').innerText()).toBe('Reviewer access');
    await reviewer.getByRole('button', { name: `Open result ${ids.reject}` }).click();
    await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
    expect(await reviewer.locator('#reject-reason-error').innerText()).toMatch(/reason is required/);
    expect(await reviewer.getByLabel('Reason for rejecting (required)').getAttribute('aria-invalid')).toBe('true');
    expect(await reviewer.evaluate(() => document.activeElement?.id)).toBe('reject-reason');
    expect((await result(ids.reject)).state).toBe('awaiting-review');
    const reason = 'Lung segment includes bowel gas';
    await reviewer.getByLabel('Reason for rejecting (required)').fill(reason);
    await reviewer.getByRole('button', { name: 'Reject', exact: true }).click();
    await reviewer.locator('#review-status', { hasText: `Result #${ids.reject} rejected` }).waitFor();
    const entry = reviewer.locator('table.history tr[data-action="reject"]');
    expect(await entry.innerText()).toContain('awaiting-review → rejected');
    expect(await entry.innerText()).toContain(reason);
    const rejected = await result(ids.reject);
    expect(rejected).toMatchObject({ state: 'rejected', deliveries: [] });
    expect(rejected.history.at(-1)).toMatchObject({ to: 'rejected', reason });
    await reviewer.screenshot({ path: path.join(outDir, 'result-rejected.png'), fullPage: true });

    // A decision on a result that changed under the page shows the server's code, then what it is now.
    await reviewer.getByRole('button', { name: `Open result ${ids.stale}` }).click();
    await reviewer.locator(`article[data-result-id="${ids.stale}"]`).waitFor();
    expect((await api(`/api/results/${ids.stale}/accept`, { method: 'POST' })).status).toBe(200);
    await reviewer.getByRole('button', { name: 'Accept', exact: true }).click();
    await reviewer.locator('#review-status', { hasText: 'RESULT_STATE' }).waitFor();
    await reviewer.locator('#result-title', { hasText: /accepted|delivered/ }).waitFor();
    expect(errors).toEqual([]);
    await reviewer.context().close();
  });

  it('the reviewer token cannot edit rules or destinations, and the API refuses its rule writes', async () => {
    const { page: reviewer, errors } = await browser.newPage();
    await logIn(reviewer, REVIEWER_TOKEN);
    await openSection(reviewer, 'Rules');
    await reviewer.locator('tr[data-rule-id="ct-reviewed"]').waitFor();
    expect(await reviewer.getByRole('button', { name: 'New rule' }).isDisabled()).toBe(true);
    expect(await reviewer.getByRole('button', { name: 'Delete CT body and lung, reviewed' }).isDisabled()).toBe(true);
    await reviewer.getByRole('button', { name: 'Edit CT body and lung, reviewed' }).click();
    expect(await reviewer.locator('#save-rule').isDisabled()).toBe(true);
    expect(await reviewer.getByLabel('Actions (JSON list)').getAttribute('readonly')).not.toBeNull();
    await openSection(reviewer, 'Destinations');
    expect(await reviewer.getByRole('button', { name: 'Edit Reference archive' }).isDisabled()).toBe(true);
    expect(await reviewer.getByRole('button', { name: 'New destination' }).isDisabled()).toBe(true);
    const live = (await api<{ rules: any[] }>('/api/rules')).body.rules[0];
    const put = await api<{ code: string }>('/api/rules/ct-reviewed',
      { method: 'PUT', token: REVIEWER_TOKEN, body: JSON.stringify({ ...live, enabled: false }) });
    expect(put).toMatchObject({ status: 403, body: { code: 'AUTH_FORBIDDEN' } });
    expect((await api<{ rules: any[] }>('/api/rules')).body.rules[0].enabled).toBe(true);
    expect(errors).toEqual([]);
    expect(pageErrors).toEqual([]);
    await reviewer.context().close();
  });
});
