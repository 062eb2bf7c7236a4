// The admin page's rules in Chromium: log in, a rule flagged then saved, dry runs, history diff and rollback.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scrollsSideways, snap, unlabelledControls } from '../support/browser.js';
import {
  ADMIN_TOKEN, api, ctFiles, logIn, modality, openSection, page, pageErrors, startAdminSession, stopAdminSession,
  studyUid,
} from './admin-support.js';

let versionWithRule: number;

beforeAll(startAdminSession);

afterAll(async () => {
  await stopAdminSession();
  // no errors on the page over the whole session, as the last test checked when one page ran every test
  expect(pageErrors).toEqual([]);
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
});
