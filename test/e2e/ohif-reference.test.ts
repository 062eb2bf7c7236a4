// The viewer check proven on reference data alone (no node): dcmqi's CT and its liver SEG, sent to
// Orthanc with DCMTK, open in the built OHIF viewer in Chromium and the SEG loads as an overlay.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from '../support/browser.js';
import { runTool, storescu } from '../support/dcmtk.js';
import { testdata } from '../support/node-process.js';
import { findOhifDist, startOhif, type RunningOhif } from '../support/ohif.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { loadSegOverlay } from './ohif-viewer.js';

const ctFiles = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
const segFile = path.join(testdata, 'dcmqi-seg-sr', 'liver-seg.dcm');
const ohifDist = findOhifDist();

let orthanc: RunningOrthanc;
let ohif: RunningOhif;
let browser: BrowserSession;
let page: Page;
let pageErrors: string[];

/** A DICOM attribute as DCMTK's dcmdump reads it (all values of the tag, in order). */
async function dcmdumpValues(file: string, tag: string): Promise<string[]> {
  const r = await runTool('dcmdump', ['+P', tag, file]);
  return [...r.stdout.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
}

describe.skipIf(!ohifDist)(
  `OHIF viewer on reference data${ohifDist ? '' : ' (skipped: no @ohif/app dist; see test/support/ohif.ts)'}`, () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    const sent = await storescu(orthanc.dicomPort, [...ctFiles, segFile], { calledAe: orthanc.aeTitle });
    expect(sent.code, sent.stderr).toBe(0);
    ohif = await startOhif(ohifDist!, orthanc.url(''));
    browser = await launchBrowser();
    ({ page, errors: pageErrors } = await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await ohif?.stop();
    await orthanc?.stop();
  });

  it('serves the viewer with a generated config and proxies DICOMweb to Orthanc', async () => {
    const config = await (await fetch(`${ohif.origin}/app-config.js`)).text();
    expect(config).toContain("window.location.origin + '/dicom-web'");
    expect(config).not.toContain('cloudfront');
    const studies = (await (await fetch(
      `${ohif.origin}/dicom-web/studies`)).json()) as Array<Record<string, { Value: string[] }>>;
    const [studyUid] = await dcmdumpValues(ctFiles[0], '0020,000d');
    expect(studies.map((s) => s['0020000D'].Value[0])).toEqual([studyUid]);
    const spa = await fetch(`${ohif.origin}/viewer?StudyInstanceUIDs=x`);
    expect(await spa.text()).toContain('<div id="root"');
  });

  it('loads the liver SEG as an overlay on the CT: service, panel and coloured pixels agree', async () => {
    const [studyUid] = await dcmdumpValues(ctFiles[0], '0020,000d');
    const labels = await dcmdumpValues(segFile, '0062,0005');
    expect(labels.length).toBeGreaterThan(0);
    const result = await loadSegOverlay(page, ohif, studyUid, labels, 'reference');
    expect(result.serviceLabels.sort()).toEqual([...labels].sort());
    expect(result.panelLabels).toEqual(labels);
    expect(result.colouredBefore).toBeLessThan(0.01);
    expect(result.colouredAfter).toBeGreaterThan(result.colouredBefore + 0.03);
    expect(pageErrors.filter((e) => !/Failed to fetch|favicon/.test(e))).toEqual([]);
  });
});
