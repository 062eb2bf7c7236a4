// Launches Debian's Chromium through playwright-core (no browser download) for admin page tests,
// collects page errors, and writes screenshots into test-output/browser/.
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './node-process.js';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotDir = path.join(repoRoot, 'test-output/browser');
export const LAPTOP = { width: 1280, height: 800 };

export interface BrowserSession {
  browser: Browser;
  /** A fresh context (own sessionStorage) and page at laptop size; its JS errors land in `errors`. */
  newPage: () => Promise<{ page: Page; errors: string[] }>;
  close: () => Promise<void>;
}

export async function launchBrowser(): Promise<BrowserSession> {
  // playwright gives every launch its own temporary profile, so no --user-data-dir is passed here.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(screenshotDir, { recursive: true });
  return {
    browser,
    newPage: async () => {
      const context = await browser.newContext({ viewport: LAPTOP });
      context.setDefaultTimeout(10_000); // a broken page fails in seconds, not 30 s per step
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
      page.on('console', (msg) => { if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text()))
        errors.push(`console: ${msg.text()}`); });
      return { page, errors };
    },
    close: () => browser.close(),
  };
}

/** Full-page screenshot named after the step, e.g. `03-rule-flagged.png`. */
export async function snap(page: Page, name: string): Promise<string> {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** True when the page is wider than the window (a horizontal scroll bar at laptop width). */
export function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

/** Visible form controls without a `<label>` (or aria-label): each one is an accessibility bug. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll<HTMLInputElement>('input, select, textarea')]
    .filter((el) => el.offsetParent !== null && (el.labels?.length ?? 0) === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.outerHTML.slice(0, 80)));
}
