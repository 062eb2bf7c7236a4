// A result is never lost for want of a destination, and QC decides with real peers: the seeded reply-to-sender
// rule with no destination of the sender's AE still runs the job (done), the result waits in awaiting-destination
// with its previews, and once the destination exists a release delivers it to Orthanc. A model whose check fails
// holds the result for review with the reasons; with onQcFail "discard" it is withheld and never sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { addDestination, deliveriesOf, e2eConfig, jobOf, objectsInOrthanc, resultsInOrthanc,
  sendNewStudy } from './loop-support.js';
import { ctRule, modelsWithStrictCopy, postAs, putRule, resultOfJob } from './review-support.js';

let orthanc: RunningOrthanc;
let node: RunningNode;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe('no destination yet, and QC in the pipeline', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    node = await startNode({ ...e2eConfig, models: { dir: modelsWithStrictCopy() } });
  });
  afterAll(async () => {
    await node?.stop();
    await orthanc?.stop();
  });

  it('runs the job with no destination of the sender, keeps the result with previews, and delivers it on release', async () => {
    const study = await sendNewStudy(node, orthanc.aeTitle);   // seeded rule: reply-to-sender; no destination yet
    const job = await jobOf(node, study.studyUid);
    const waiting = await resultOfJob(node, job.id, 'awaiting-destination');
    expect((await (await node.api(`/api/jobs?studyUid=${study.studyUid}`)).json())[0].state).toBe('done');
    expect(waiting.heldReason).toMatch(/^NO_REPLY_DESTINATION: no destination with AE title ORTHANC/);
    // The built-in model declares plausibility checks, and a right result on the synthetic CT passes them.
    expect(waiting.qc).toEqual({ state: 'passed', reasons: [] });
    expect(waiting.previews.length).toBeGreaterThanOrEqual(2);
    const png = await node.api(waiting.previews[0].url);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await png.arrayBuffer()).slice(0, 8)]).toEqual(PNG_SIGNATURE);
    const outOfRange = await node.api(`/api/results/${waiting.id}/preview/${waiting.previews.length}.png`);
    expect(outOfRange.status).toBe(404);
    expect((await outOfRange.json()).code).toBe('RESULT_PREVIEW_NOT_FOUND');
    // After the first render the titles come from the renderer (the cache's index).
    const titles = (await (await node.api(`/api/results/${waiting.id}`)).json()).previews.map((p: any) => p.title);
    expect(titles.at(-1)).toMatch(/^Coronal reformat/);

    const early = await postAs(node, `/api/results/${waiting.id}/release`);
    expect(early.status).toBe(422);
    expect((await early.json()).code).toBe('RESULT_NO_DESTINATION');
    expect(await deliveriesOf(node, job.id)).toEqual([]);

    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    const released = await postAs(node, `/api/results/${waiting.id}/release`);
    expect(released.status, await released.clone().text()).toBe(200);
    expect((await released.json()).state).toBe('accepted');
    await resultsInOrthanc(orthanc, study.studyUid);
    await resultOfJob(node, job.id, 'delivered');
    expect((await objectsInOrthanc(orthanc, study.studyUid)).map((o) => o.modality).sort()).toEqual(['SEG', 'SR']);
  });

  it('holds a result whose QC check fails for review, with every reason', async () => {
    await putRule(node, ctRule(['orthanc'], { model: 'ct-body-lung-strict' }));
    const study = await sendNewStudy(node, 'MODALITY');
    const job = await jobOf(node, study.studyUid);
    const held = await resultOfJob(node, job.id, 'awaiting-review');
    expect(held.qc.state).toBe('failed');
    expect(held.qc.reasons).toHaveLength(1);
    expect(held.qc.reasons[0]).toMatchObject({ segment: 'Body', check: 'volumeMl.max' });
    expect(held.qc.reasons[0].message).toMatch(/^Body: \d+ ml, above the maximum of 1 ml$/);
    expect(held.heldReason).toBe(`QC_FAILED: ${held.qc.reasons[0].message}`);
    expect(held.segments.find((s: any) => s.label === 'Body').qc).toBe('failed');
    // the built-in model's own lung checks
    expect(held.segments.find((s: any) => s.label === 'Lung').qc).toBe('passed');
    expect(held.modelId).toBe('ct-body-lung-strict');
    expect(await deliveriesOf(node, job.id)).toEqual([]);
  });

  it('withholds a result whose QC check fails when the rule says onQcFail "discard": never sent', async () => {
    await putRule(node, ctRule(['orthanc'], { model: 'ct-body-lung-strict', onQcFail: 'discard' }));
    const study = await sendNewStudy(node, 'MODALITY');
    const job = await jobOf(node, study.studyUid);
    const withheld = await resultOfJob(node, job.id, 'withheld');
    expect(withheld.heldReason).toMatch(/^QC_FAILED: Body: .* \(rule ct-body-lung: not sent\)$/);
    expect((await postAs(node, `/api/results/${withheld.id}/accept`)).status).toBe(409);
    expect(await deliveriesOf(node, job.id)).toEqual([]);
    expect(await objectsInOrthanc(orthanc, study.studyUid)).toEqual([]);
  });
});
