// The loop closed end to end with real peers: DCMTK sends a CT to the node, the ct-body-lung rule
// runs, and the SEG and SR arrive in Orthanc (the PACS) over C-STORE and over STOW-RS, reference the
// CT, pass dciodvfy as Orthanc stores them, and load as an overlay in the OHIF viewer.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from '../support/browser.js';
import { storescu } from '../support/dcmtk.js';
import { startNode, type RunningNode } from '../support/node-process.js';
import { findOhifDist, startOhif } from '../support/ohif.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import {
  addDestination, ctRuleSendingTo, e2eConfig, dciodvfyErrors, deliveriesOf, jobOf, objectsInOrthanc, referencedSeries,
  resultsInOrthanc, segmentLabelsInOrthanc, sendNewStudy, type SentStudy,
} from './loop-support.js';
import { loadSegOverlay } from './ohif-viewer.js';

let orthanc: RunningOrthanc;
let node: RunningNode;
let cStoreCase: { study: SentStudy; segId: string } | undefined;

/** The node's results for one study in Orthanc, checked as the radiologist's PACS holds them. */
async function expectResultsInOrthanc(study: SentStudy, destinationId: string): Promise<{ segId: string }> {
  const { seg, sr } = await resultsInOrthanc(orthanc, study.studyUid);
  expect(seg.tags.Modality).toBe('SEG');
  expect(sr.tags.Modality).toBe('SR');
  for (const o of [seg, sr]) {
    expect(o.tags.StudyInstanceUID).toBe(study.studyUid);
    expect(referencedSeries(o.tags), `${o.modality} references the CT series`).toContain(study.seriesUid);
    expect(await dciodvfyErrors(orthanc, o.id), `dciodvfy on the ${o.modality} from Orthanc`).toEqual([]);
  }
  // Orthanc holds the results only (the CT went to the node), each exactly once, each sent once.
  expect((await objectsInOrthanc(orthanc, study.studyUid)).map((o) => o.modality).sort()).toEqual(['SEG', 'SR']);
  const job = await jobOf(node, study.studyUid);
  const deliveries = await deliveriesOf(node, job.id);
  expect(deliveries.map((d) => [d.destinationId, d.state, d.attempts])).toEqual(
    [[destinationId, 'delivered', 1], [destinationId, 'delivered', 1]]);
  expect(new Set(deliveries.map((d) => d.sopInstanceUid))).toEqual(
    new Set([seg.tags.SOPInstanceUID, sr.tags.SOPInstanceUID]));
  return { segId: seg.id };
}

describe('the loop closed: PACS → node → PACS', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    node = await startNode(e2eConfig);
    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    await addDestination(node,
      { id: 'orthanc-web', name: 'Orthanc DICOMweb', type: 'dicomweb', url: orthanc.dicomWeb });
  });
  afterAll(async () => {
    await node?.stop();
    await orthanc?.stop();
  });

  it('C-STORE: a study sent by the PACS comes back to it as SEG + SR (seeded rule, reply-to-sender)', async () => {
    // Sent with Orthanc's AE title, as Orthanc forwarding a study would: reply-to-sender picks 'orthanc'.
    const study = await sendNewStudy(node, orthanc.aeTitle);
    const { segId } = await expectResultsInOrthanc(study, 'orthanc');
    cStoreCase = { study, segId };
  });

  it('STOW-RS: with the rule sending to a DICOMweb destination, the results arrive through Orthanc DICOMweb', async () => {
    const res = await node.api('/api/rules/ct-body-lung', { method: 'PUT',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(ctRuleSendingTo(['orthanc-web'])) });
    expect(res.status, await res.text()).toBe(200);
    const study = await sendNewStudy(node, 'MODALITY');
    await expectResultsInOrthanc(study, 'orthanc-web');
  });

  describe.skipIf(!findOhifDist())('in the OHIF viewer', () => {
    let browser: BrowserSession | undefined;
    let page: Page;
    afterAll(async () => { await browser?.close(); });

    it('shows the SEG the node produced as an overlay on the CT, with the node\'s segment labels', async () => {
      expect(cStoreCase, 'the C-STORE case delivered a SEG').toBeDefined();
      const { study, segId } = cStoreCase!;
      // The CT itself goes to the PACS too (in a hospital it is there already), so there is an image under the SEG.
      const sent = await storescu(orthanc.dicomPort, study.files, { callingAe: 'MODALITY', calledAe: orthanc.aeTitle });
      expect(sent.code, sent.stderr).toBe(0);
      const labels = await segmentLabelsInOrthanc(orthanc, segId);
      expect(labels.length).toBeGreaterThan(0);
      const ohif = await startOhif(findOhifDist()!, orthanc.url(''));
      try {
        browser = await launchBrowser();
        ({ page } = await browser.newPage());
        const result = await loadSegOverlay(page, ohif, study.studyUid, labels, 'node-seg');
        expect(result.serviceLabels.sort()).toEqual([...labels].sort());
        expect(result.panelLabels).toEqual(labels);
        expect(result.colouredBefore).toBeLessThan(0.01);
        expect(result.colouredAfter).toBeGreaterThan(result.colouredBefore + 0.02);
      } finally {
        await ohif.stop();
      }
    });
  });
});
