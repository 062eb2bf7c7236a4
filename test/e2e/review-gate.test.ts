// The review gate with real peers: a rule with review "required" holds the result (nothing in Orthanc), the hold
// survives SIGKILL + restart, a reviewer's accept then delivers SEG + SR exactly once; a rejected result is never
// sent; a retraction puts a KOS titled 113001 into Orthanc that lists exactly the delivered SEG and SR and passes
// dciodvfy; a retry after it gives revision 2 with new UIDs. The reviewer token may decide but not edit rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import {
  addDestination, dciodvfyErrors, deliveriesOf, e2eConfig, jobOf, objectsInOrthanc, resultsInOrthanc, sendNewStudy,
  type SentStudy,
} from './loop-support.js';
import { ctRule, postAs, putRule, referencedInstances, resultOfJob, REVIEWER_TOKEN } from './review-support.js';

const config = { ...e2eConfig, admin: { reviewerToken: REVIEWER_TOKEN } };
let orthanc: RunningOrthanc;
let node: RunningNode;
let dataDir: string;
let accepted: { study: SentStudy; result: any } | undefined;

describe('review gate: nothing reaches the PACS before a reviewer accepts', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    node = await startNode(config);
    dataDir = node.dataDir.replace(/\/data$/, '');
    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    await putRule(node, ctRule(['orthanc'], { review: 'required' }));
  });
  afterAll(async () => {
    if (node?.process.exitCode === null && node.process.signalCode === null) await node.stop();
    await orthanc?.stop();
  });

  it('holds the result across SIGKILL + restart; an accept after the restart delivers SEG + SR exactly once', async () => {
    const study = await sendNewStudy(node, 'MODALITY');
    const job = await jobOf(node, study.studyUid);
    const held = await resultOfJob(node, job.id, 'awaiting-review');
    expect(held.heldReason).toBe('review required by rule ct-body-lung');
    expect(held.objects.map((o: any) => o.kind)).toEqual(['SEG', 'SR']);
    expect(held.segments.map((s: any) => s.label)).toEqual(['Body', 'Lung']);
    expect(await deliveriesOf(node, job.id)).toEqual([]);
    expect(await objectsInOrthanc(orthanc, study.studyUid)).toEqual([]);

    node.process.kill('SIGKILL');
    await new Promise((r) => node.process.once('exit', r));
    node = await startNode(config, { dataDir });
    const afterRestart = await resultOfJob(node, job.id);
    expect(afterRestart.state).toBe('awaiting-review');

    const res = await postAs(node, `/api/results/${held.id}/accept`, undefined, REVIEWER_TOKEN);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json()).state).toBe('accepted');
    const { seg, sr } = await resultsInOrthanc(orthanc, study.studyUid);
    const delivered = await resultOfJob(node, job.id, 'delivered');
    expect(new Set([seg.tags.SOPInstanceUID, sr.tags.SOPInstanceUID])).toEqual(
      new Set(held.objects.map((o: any) => o.sopInstanceUid)));
    expect((await objectsInOrthanc(orthanc, study.studyUid)).map((o) => o.modality).sort()).toEqual(['SEG', 'SR']);
    expect((await deliveriesOf(node, job.id)).map((d) => [d.state, d.attempts])).toEqual(
      [['delivered', 1], ['delivered', 1]]);
    expect(delivered.history.map((h: any) => [h.action, h.from, h.to, h.actor])).toEqual([
      ['created', null, 'awaiting-review', 'node'], ['accept', 'awaiting-review', 'accepted', 'reviewer'],
      ['delivered', 'accepted', 'delivered', 'node'],
    ]);
    expect(delivered.reviewedBy).toBe('reviewer');
    const audit = (await (await node.api('/api/audit')).json()) as any[];
    expect(audit.find((a) => a.target === `result:${held.id}`)).toMatchObject(
      { actor: 'reviewer', action: 'accept', before: { state: 'awaiting-review' } });
    // A second accept changes nothing.
    expect((await postAs(node, `/api/results/${held.id}/accept`)).status).toBe(409);
    accepted = { study, result: delivered };
  });

  it('a rejected result is never sent: no delivery exists for it, Orthanc holds nothing of the study', async () => {
    const study = await sendNewStudy(node, 'MODALITY');
    const job = await jobOf(node, study.studyUid);
    const held = await resultOfJob(node, job.id, 'awaiting-review');
    const noReason = await postAs(node, `/api/results/${held.id}/reject`, { reason: '  ' }, REVIEWER_TOKEN);
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).code).toBe('RESULT_REASON_REQUIRED');
    const res = await postAs(node, `/api/results/${held.id}/reject`,
      { reason: 'lung mask includes bowel gas' }, REVIEWER_TOKEN);
    expect(res.status).toBe(200);
    expect((await res.json()).state).toBe('rejected');
    expect((await postAs(node, `/api/results/${held.id}/accept`)).status).toBe(409);
    expect(await deliveriesOf(node, job.id)).toEqual([]);
    // The outbox has had its chance: the earlier study's results arrived long before this one's reject.
    expect(await objectsInOrthanc(orthanc, study.studyUid)).toEqual([]);
    const rejected = await resultOfJob(node, job.id);
    expect(rejected.decisionReason).toBe('lung mask includes bowel gas');
  });

  it('the reviewer token may decide on results but not change rules or destinations', async () => {
    const rule = ctRule(['orthanc']);
    const put = await fetch(node.url('/api/rules/ct-body-lung'), {
      method: 'PUT', headers: { authorization: `Bearer ${REVIEWER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(rule),
    });
    expect(put.status).toBe(403);
    expect((await put.json()).code).toBe('AUTH_FORBIDDEN');
    expect((await postAs(node, '/api/destinations',
      { id: 'x', name: 'x', type: 'dicomweb', url: 'http://127.0.0.1:1' }, REVIEWER_TOKEN)).status).toBe(403);
    const session = await fetch(node.url('/api/session'), { headers: { authorization: `Bearer ${REVIEWER_TOKEN}` } });
    expect(await session.json()).toEqual({ role: 'reviewer' });
    expect((await fetch(node.url('/api/results'),
      { headers: { authorization: `Bearer ${REVIEWER_TOKEN}` } })).status).toBe(200);
  });

  it('retract: Orthanc gets a KOS titled 113001 listing exactly the delivered SEG and SR, valid per dciodvfy', async () => {
    expect(accepted, 'the first case delivered a result').toBeDefined();
    const { study, result } = accepted!;
    expect((await postAs(node, `/api/results/${result.id}/retract`, {}, REVIEWER_TOKEN)).status).toBe(400);
    const res = await postAs(node, `/api/results/${result.id}/retract`, { reason: 'wrong lung mask' }, REVIEWER_TOKEN);
    expect(res.status, await res.clone().text()).toBe(200);
    const retracted = await res.json();
    expect(retracted.state).toBe('retracted');
    const kosObject = retracted.objects.find((o: any) => o.kind === 'KOS');
    const kos = await waitFor('the KOS in Orthanc', async () =>
      (await objectsInOrthanc(orthanc, study.studyUid)).find((o) => o.modality === 'KO'), 60_000);
    expect(kos.tags.SOPInstanceUID).toBe(kosObject.sopInstanceUid);
    expect(kos.tags.ConceptNameCodeSequence[0]).toMatchObject({ CodeValue: '113001', CodingSchemeDesignator: 'DCM' });
    const rejected = result.objects.map((o: any) => o.sopInstanceUid).sort();
    expect(referencedInstances(kos.tags, 'CurrentRequestedProcedureEvidenceSequence').sort()).toEqual(rejected);
    expect(referencedInstances(kos.tags, 'ContentSequence').sort()).toEqual(rejected);
    expect(await dciodvfyErrors(orthanc, kos.id)).toEqual([]);
    const after = await resultOfJob(node, result.jobId);
    expect(after.history.at(-1)).toMatchObject(
      { action: 'retract', from: 'delivered', to: 'retracted', actor: 'reviewer', reason: 'wrong lung mask' });
    await waitFor('the KOS delivery delivered', async () =>
      (await deliveriesOf(node, result.jobId)).filter((d) => d.state === 'delivered').length === 3);
  });

  it('a retry after the retraction runs revision 2 with new SOP Instance UIDs', async () => {
    const { result } = accepted!;
    const retry = await postAs(node, `/api/jobs/${result.jobId}/retry`);
    expect(retry.status, await retry.clone().text()).toBe(200);
    const second = await waitFor('revision 2', async () => {
      const list = (await (await node.api('/api/results?state=awaiting-review')).json()) as any[];
      const r = list.find((x) => x.jobId === result.jobId && x.revision === 2);
      return r ? (await node.api(`/api/results/${r.id}`)).json() : undefined;
    }, 60_000);
    const before = new Set(result.objects.map((o: any) => o.sopInstanceUid));
    expect(second.objects.map((o: any) => o.kind)).toEqual(['SEG', 'SR']);
    for (const o of second.objects) expect(before.has(o.sopInstanceUid)).toBe(false);
  });
});
