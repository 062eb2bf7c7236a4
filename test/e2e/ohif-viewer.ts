// What a radiologist does in OHIF, driven in Chromium: open the study, load the SEG onto the CT, and
// the three signals that it worked (segmentation service, segmentation panel, coloured pixels).
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../support/node-process.js';
import type { RunningOhif } from '../support/ohif.js';

export const e2eScreenshotDir = path.join(repoRoot, 'test-output/e2e');

export interface SegOverlayResult {
  /** Segment labels held by OHIF's segmentation service after the SEG loaded. */
  serviceLabels: string[];
  /** Which of the expected labels the segmentation panel shows. */
  panelLabels: string[];
  /** Share of clearly coloured pixels in the viewport canvas before and after loading the SEG. */
  colouredBefore: number;
  colouredAfter: number;
  screenshots: string[];
  loadMs: number;
}

/** Opens `studyUid`, double-clicks its SEG thumbnail, answers "Yes", and reads the signals. */
export async function loadSegOverlay(page: Page, ohif: RunningOhif, studyUid: string, expectedLabels: string[],
  shotPrefix: string): Promise<SegOverlayResult> {
  fs.mkdirSync(e2eScreenshotDir, { recursive: true });
  const screenshots: string[] = [];
  const shot = async (name: string) => {
    const file = path.join(e2eScreenshotDir, `${shotPrefix}-${name}.png`);
    await page.screenshot({ path: file });
    screenshots.push(file);
  };
  await page.goto(ohif.viewerUrl(studyUid));
  const segThumbnail = page.locator('[id^="thumbnail-"]').filter(
    { has: page.locator('[data-cy="series-modality-label"]', { hasText: /^SEG$/ }) });
  await segThumbnail.first().waitFor({ timeout: 30_000 });
  await waitForCtRendered(page);
  const colouredBefore = await colouredShare(page);
  await shot('1-ct');

  const started = Date.now();
  await segThumbnail.first().dblclick();
  // OHIF hydrates slowly on a loaded machine
  await page.getByRole('button', { name: 'Yes' }).click({ timeout: 30_000 });
  const serviceLabels = await page.waitForFunction((n) => {
    const service = (window as any).services?.segmentationService;
    const labels = (service?.getSegmentations() ?? []).flatMap((s: any) =>
      Object.values(s.segments ?? {}).map((seg: any) => seg?.label)).filter(Boolean);
    return labels.length >= n ? labels : false;
  }, expectedLabels.length, { timeout: 30_000 }).then((h) => h.jsonValue() as Promise<string[]>);
  const colouredAfter = await waitForColour(page, colouredBefore);
  const loadMs = Date.now() - started;
  await shot('2-seg-overlay');

  await page.locator('[data-cy="panelSegmentation-btn"]').click();
  const panelLabels: string[] = [];
  for (const label of expectedLabels) {
    const visible = await page.getByText(label, { exact: true }).first().waitFor({ timeout: 5_000 }).then(
      () => true, () => false);
    if (visible) panelLabels.push(label);
  }
  await shot('3-segmentation-panel');
  return { serviceLabels, panelLabels, colouredBefore, colouredAfter, screenshots, loadMs };
}

/** Waits until the viewport canvas holds an image (some non-black pixels), not an empty frame. */
async function waitForCtRendered(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.cornerstone-canvas');
    if (!canvas || canvas.width === 0) return false;
    const ctx = canvas.getContext('2d');
    if (!ctx) return false;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 16) if (d[i] + d[i + 1] + d[i + 2] > 60) lit++;
    return lit > d.length / 16 / 50;
  }, undefined, { timeout: 30_000 });
}

/** The overlay is drawn a few frames after the service has it: poll the share for up to 10 s. */
async function waitForColour(page: Page, before: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let share = before;
  while (Date.now() < deadline) {
    share = await colouredShare(page);
    if (share > before + 0.01) break;
    await page.waitForTimeout(250);
  }
  return share;
}

/**
 * Fraction of the viewport canvas's pixels that are clearly coloured (channels differ by > 40): a
 * CT in a grey window has none, a SEG overlay paints its segments' colours. Read in the page from
 * the canvas itself, so side panels and icons do not count.
 */
export function colouredShare(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.cornerstone-canvas');
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width === 0) return 0;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let coloured = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40) coloured++;
    }
    return coloured / (d.length / 4);
  });
}
