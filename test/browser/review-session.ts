// Shared by the Review section tests: three CT studies held for review with QC failing on Body, and Chromium.
import type { Page } from 'playwright-core';
import { launchBrowser, type BrowserSession } from '../support/browser.js';
import { startReviewNode, type ReviewNode } from './review-support.js';

export let rn: ReviewNode;
export let browser: BrowserSession;
export let page: Page;
export let pageErrors: string[];
/** Result ids of the three studies: accepted then retracted, rejected, accepted behind the page's back. */
export let ids: { accept: number; reject: number; stale: number };

/** Starts the node, sends the three studies and waits until their results are held, then opens a page. */
export async function startReviewSession(): Promise<void> {
  // QC that fails on Body (the phantom's body is about 3 l) and passes on Lung: the page shows why.
  rn = await startReviewNode({ review: 'required' },
    { Body: { volumeMl: { max: 1000 } }, Lung: { volumeMl: { min: 100, max: 8000 } } });
  const studies = [await rn.sendStudy('accept'), await rn.sendStudy('reject'), await rn.sendStudy('stale')];
  const held = await rn.resultsIn('awaiting-review', 3);
  const idOf = (study: string) => held.find((r) => r.studyInstanceUid === study)!.id;
  ids = { accept: idOf(studies[0]!), reject: idOf(studies[1]!), stale: idOf(studies[2]!) };
  browser = await launchBrowser();
  ({ page, errors: pageErrors } = await browser.newPage());
}

export async function stopReviewSession(): Promise<void> {
  await browser?.close();
  await rn?.stop();
}
