// The external AI step end to end: the node de-identifies a CT and sends it over TLS to a second Orthanc (the
// "external AI" inbox); a small service process runs the built-in model on what it finds there and sends SEG + SR
// back to the node's SCP under the pseudonymous study; the node re-identifies them into the original study and the
// PACS (a first Orthanc) receives them. The external side never holds the patient's name, ID, birth date or UIDs;
// a returned object that references a UID nobody sent is quarantined; the action's qc checks the returned SEG.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../support/dcmtk.js';
import { READ_ONLY_TOKEN, startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { makeTestPki, type TestPki } from '../support/pki.js';
import { identityOf, putJson, startExternalService } from './external-support.js';
import {
  addDestination, e2eConfig, objectsInOrthanc, referencedSeries, resultsInOrthanc, sendNewStudy, type SentStudy,
} from './loop-support.js';

let pki: TestPki;
let pacs: RunningOrthanc;
let external: RunningOrthanc;
let node: RunningNode;
let service: ChildProcess;
let study: SentStudy;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ext-ai-'));

async function fileOf(orthanc: RunningOrthanc, id: string, name: string): Promise<string> {
  const file = path.join(work, name);
  fs.writeFileSync(file, Buffer.from(await (await fetch(orthanc.url(`/instances/${id}/file`))).arrayBuffer()));
  return file;
}

describe('external AI: de-identified out, re-identified back', () => {
  beforeAll(async () => {
    pki = makeTestPki();
    pacs = await startOrthanc();
    external = await startOrthanc({
      Name: 'external-ai', DicomTlsEnabled: true, DicomTlsCertificate: pki.cert, DicomTlsPrivateKey: pki.key,
      DicomTlsTrustedCertificates: pki.ca, DicomTlsRemoteCertificateRequired: false,
    });
    node = await startNode({ ...e2eConfig, deid: { key: crypto.randomBytes(32).toString('base64') } });
    await addDestination(node, { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: pacs.aeTitle, host: '127.0.0.1',
      port: pacs.dicomPort });
    const plain = { id: 'ext-ai', name: 'External AI', type: 'dimse', aeTitle: external.aeTitle, host: '127.0.0.1',
      port: external.dicomPort, external: true };
    const refused = await node.api('/api/destinations',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plain) });
    expect(refused.status).toBe(422); // external without TLS
    await addDestination(node, { ...plain, tls: true, tlsCaFile: pki.ca });
    const rule = { id: 'ct-body-lung', name: 'External AI for CT', enabled: true, priority: 1, then: 'stop',
      when: { attribute: 'Modality', op: 'equals', value: 'CT' },
      actions: [{ type: 'external', service: 'ext-ai', series: { pick: 'all' }, destinations: ['pacs'],
        timeoutSeconds: 300 }] };
    const put = await node.api('/api/rules/ct-body-lung', putJson(rule));
    expect(put.status, await put.text()).toBe(200);
    service = startExternalService(external.url(''), work,
      ['--node-port', String(node.dimsePort), '--node-ae', node.aeTitle, '--bogus']);
    study = await sendNewStudy(node, 'MODALITY');
  }, 180_000);
  afterAll(async () => {
    service?.kill();
    await node?.stop();
    await pacs?.stop();
    await external?.stop();
  });

  it('the PACS receives SEG + SR in the original study, referencing the original CT (dcentvfy agrees)', async () => {
    const { seg, sr } = await resultsInOrthanc(pacs, study.studyUid, 150_000);
    const original = identityOf(study.files);
    for (const o of [seg, sr]) {
      expect(o.tags.StudyInstanceUID).toBe(study.studyUid);
      expect(o.tags.PatientName).toBe(original.name);
      expect(o.tags.PatientID).toBe(original.id);
      expect(referencedSeries(o.tags)).toContain(study.seriesUid);
      expect(o.tags.PatientIdentityRemoved).toBeUndefined();
    }
    const segFile = await fileOf(pacs, seg.id, 'seg.dcm');
    const srFile = await fileOf(pacs, sr.id, 'sr.dcm');
    const referenced = identityOf([segFile]).uids.filter((u) => original.sops.includes(u));
    expect(referenced.sort()).toEqual([...original.sops].sort()); // the SEG's frames reference the original CT slices
    const v = await runTool('dcentvfy', [...study.files, segFile, srFile]);
    expect((v.stdout + v.stderr).split('\n').filter((l) => /^Error/.test(l))).toEqual([]);
    // the bogus object was not delivered: the PACS holds exactly the SEG and the SR
    expect((await objectsInOrthanc(pacs, study.studyUid)).map((o) => o.modality).sort()).toEqual(['SEG', 'SR']);
  }, 200_000);

  it('the external side never held the patient name, ID, birth date or any original UID', async () => {
    const original = identityOf(study.files);
    type Study = { PatientMainDicomTags: Record<string, string>; MainDicomTags: Record<string, string> };
    const studies = (await external.get('/studies?expand')) as Study[];
    expect(studies.length).toBeGreaterThan(0);
    const everything: string[] = [];
    for (const id of (await external.get('/instances')) as string[]) {
      everything.push(JSON.stringify(await external.get(`/instances/${id}/tags?simplify`)));
    }
    const all = everything.join('\n') + JSON.stringify(studies);
    expect(everything.length).toBe(study.files.length);
    for (const secret of [original.name, original.id, ...original.uids]) {
      expect(all.includes(secret), secret).toBe(false);
    }
    if (original.birthDate) expect(all.includes(original.birthDate)).toBe(false);
    expect(studies[0]!.PatientMainDicomTags.PatientName).toMatch(/^ANON\^/);
  });

  it('quarantines a returned object referencing a UID the mapping does not know, audits send and return', async () => {
    const requests = await waitFor('the external request returned', async () => {
      const r = (await (await node.api('/api/deid/requests')).json()) as any[];
      return r[0]?.state === 'returned' && r[0].quarantined.length > 0 ? r : undefined;
    }, 60_000);
    expect(requests[0].quarantined.map((q: any) => q.code)).toEqual(['REID_UNKNOWN_UID']);
    expect(requests[0].returned).toBe(2);
    const audit = (await (await node.api('/api/audit?limit=100')).json()) as any[];
    expect(audit.map((a) => a.action))
      .toEqual(expect.arrayContaining(['external.deidentified-send', 'external.reidentified-return']));
    const send = audit.find((a) => a.action === 'external.deidentified-send');
    expect(send.target).toBe(study.studyUid);
    expect(send.after.service).toBe('ext-ai');
  }, 90_000);

  it('serves the mapping to the admin role only, and audits each read', async () => {
    const denied = await fetch(node.url('/api/deid/mappings'),
      { headers: { authorization: `Bearer ${READ_ONLY_TOKEN}` } });
    expect(denied.status).toBe(403);
    const res = await node.api('/api/deid/mappings?limit=1000');
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Array<{ kind: string; original: string; pseudonym: string }>;
    expect(rows.find((r) => r.kind === 'uid' && r.original === study.studyUid)?.pseudonym).toMatch(/^2\.25\./);
    const audit = (await (await node.api('/api/audit?limit=100')).json()) as any[];
    expect(audit.some((a) => a.action === 'read' && a.target === 'deid-mappings')).toBe(true);
  });

  it('holds the re-identified result for review when the action asks for it, and sends it once accepted', async () => {
    const rule = { id: 'ct-body-lung', name: 'External AI for CT', enabled: true, priority: 1, then: 'stop',
      actions: [{ type: 'external', service: 'ext-ai', series: { pick: 'all' }, destinations: ['pacs'],
        review: 'required' }] };
    const put = await node.api('/api/rules/ct-body-lung', putJson(rule));
    expect(put.status, await put.text()).toBe(200);
    const reviewed = await sendNewStudy(node, 'MODALITY');
    const result = await waitFor('a result awaiting review', async () => {
      const all = (await (await node.api('/api/results?state=awaiting-review')).json()) as any[];
      return all.find((r) => r.studyInstanceUid === reviewed.studyUid);
    }, 120_000);
    expect(result.seriesInstanceUid).toBe(reviewed.seriesUid);
    expect(await objectsInOrthanc(pacs, reviewed.studyUid)).toEqual([]);
    const accepted = await node.api(`/api/results/${result.id}/accept`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(accepted.status, await accepted.text()).toBe(200);
    const { seg, sr } = await resultsInOrthanc(pacs, reviewed.studyUid, 60_000);
    expect([seg.tags.StudyInstanceUID, sr.tags.StudyInstanceUID]).toEqual([reviewed.studyUid, reviewed.studyUid]);
  }, 200_000);

  it('checks the returned SEG with the action\'s qc: a failed check is never sent when the action says discard',
    async () => {
      // the service's SEG names its body segment "Body", but qc finds it by its property type code
      const qc = { segments: [{ label: 'Patient', type: { scheme: 'SCT', value: '38266002' },
        checks: { volumeMl: { min: 1, max: 2 } } }] };
      const rule = { id: 'ct-body-lung', name: 'External AI for CT', enabled: true, priority: 1, then: 'stop',
        actions: [{ type: 'external', service: 'ext-ai', series: { pick: 'all' }, destinations: ['pacs'], qc,
          onQcFail: 'discard' }] };
      const put = await node.api('/api/rules/ct-body-lung', putJson(rule));
      expect(put.status, await put.text()).toBe(200);
      const checked = await sendNewStudy(node, 'MODALITY');
      const result = await waitFor('a withheld result', async () => {
        const all = (await (await node.api('/api/results?state=withheld')).json()) as any[];
        return all.find((r) => r.studyInstanceUid === checked.studyUid);
      }, 120_000);
      expect(result.qc.state).toBe('failed');
      expect(result.qc.reasons.map((r: any) => [r.segment, r.check])).toEqual([['Patient', 'volumeMl.max']]);
      expect(result.qc.reasons[0].value).toBeGreaterThan(2); // a phantom body is far more than 2 ml
      expect(await objectsInOrthanc(pacs, checked.studyUid)).toEqual([]);
    }, 200_000);

  it('fails the job with EXTERNAL_TIMEOUT when the service does not answer in time', async () => {
    service.kill();
    const rule = { id: 'ct-body-lung', name: 'External AI for CT', enabled: true, priority: 1, then: 'stop',
      actions: [{ type: 'external', service: 'ext-ai', series: { pick: 'all' }, destinations: ['pacs'],
        timeoutSeconds: 1 }] };
    const put = await node.api('/api/rules/ct-body-lung', putJson(rule));
    expect(put.status, await put.text()).toBe(200);
    const silent = await sendNewStudy(node, 'MODALITY');
    const job = await waitFor('the external job failed', async () => {
      const [j] = (await (await node.api(`/api/jobs?studyUid=${silent.studyUid}`)).json()) as any[];
      return j?.state === 'failed' ? j : undefined;
    }, 60_000);
    expect(job.reason).toMatch(/^EXTERNAL_TIMEOUT: /);
    const [request] = (await (await node.api('/api/deid/requests')).json()) as any[];
    expect([request.studyUid, request.state]).toEqual([silent.studyUid, 'timed-out']);
  }, 90_000);
});
