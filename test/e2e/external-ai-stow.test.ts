// The external AI step over DICOMweb: the node STOWs the de-identified CT over https (a TLS front for the second
// Orthanc's DICOMweb, its certificate trusted through NODE_EXTRA_CA_CERTS) and the service answers with STOW-RS to
// the node's /dicomweb/studies. The PACS receives the re-identified SEG + SR in the original study; the external
// side holds only pseudonyms; a plain http URL is refused for an external destination.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { makeTestPki } from '../support/pki.js';
import { startTlsProxy, type TlsProxy } from '../support/tls-proxy.js';
import { identityOf, putJson, startExternalService } from './external-support.js';
import {
  addDestination, e2eConfig, referencedSeries, resultsInOrthanc, sendNewStudy, type SentStudy,
} from './loop-support.js';

let pacs: RunningOrthanc;
let external: RunningOrthanc;
let front: TlsProxy;
let node: RunningNode;
let service: ChildProcess;
let study: SentStudy;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ext-ai-stow-'));

describe('external AI over STOW-RS (https out, STOW-RS back)', () => {
  beforeAll(async () => {
    const pki = makeTestPki();
    pacs = await startOrthanc();
    external = await startOrthanc({ Name: 'external-ai' });
    front = await startTlsProxy(external.httpPort, pki);
    const before = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = pki.ca; // the node (a child process) trusts the test CA from its start
    try {
      node = await startNode({ ...e2eConfig, deid: { key: crypto.randomBytes(32).toString('base64') } });
    } finally {
      if (before === undefined) delete process.env.NODE_EXTRA_CA_CERTS; else process.env.NODE_EXTRA_CA_CERTS = before;
    }
    await addDestination(node, { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: pacs.aeTitle, host: '127.0.0.1',
      port: pacs.dicomPort });
    const web = { id: 'ext-web', name: 'External AI (DICOMweb)', type: 'dicomweb', url: external.dicomWeb,
      external: true };
    const refused = await node.api('/api/destinations',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(web) });
    expect(refused.status).toBe(422); // external over plain http
    await addDestination(node, { ...web, url: front.url('/dicom-web') });
    const rule = { id: 'ct-body-lung', name: 'External AI over DICOMweb', enabled: true, priority: 1, then: 'stop',
      when: { attribute: 'Modality', op: 'equals', value: 'CT' },
      actions: [{ type: 'external', service: 'ext-web', series: { pick: 'all' }, destinations: ['pacs'] }] };
    const put = await node.api('/api/rules/ct-body-lung', putJson(rule));
    expect(put.status, await put.text()).toBe(200);
    service = startExternalService(external.url(''), work, ['--stow', node.url('/dicomweb/studies')]);
    study = await sendNewStudy(node, 'MODALITY');
  }, 180_000);
  afterAll(async () => {
    service?.kill();
    await node?.stop();
    await front?.close();
    await pacs?.stop();
    await external?.stop();
  });

  it('sends the de-identified CT over https and delivers the STOWed answer, re-identified, to the PACS', async () => {
    const { seg, sr } = await resultsInOrthanc(pacs, study.studyUid, 150_000);
    const original = identityOf(study.files);
    for (const o of [seg, sr]) {
      expect(o.tags.StudyInstanceUID).toBe(study.studyUid);
      expect(o.tags.PatientID).toBe(original.id);
      expect(referencedSeries(o.tags)).toContain(study.seriesUid);
    }
    expect(front.requests.filter((r) => r === 'POST /dicom-web/studies').length).toBeGreaterThan(0);
    const sent = await waitFor('the de-identified CT delivered', async () => {
      type Delivery = { destinationId: string; state: string };
      const all = (await (await node.api('/api/deliveries?limit=100')).json()) as Delivery[];
      const out = all.filter((d) => d.destinationId === 'ext-web');
      return out.length === study.files.length && out.every((d) => d.state === 'delivered') ? out : undefined;
    }, 30_000);
    expect(sent.length).toBe(3);
    const [request] = (await (await node.api('/api/deid/requests')).json()) as any[];
    expect([request.state, request.returned, request.quarantined]).toEqual(['returned', 2, []]);
  }, 200_000);

  it('the external side holds only pseudonyms', async () => {
    const original = identityOf(study.files);
    const everything: string[] = [];
    for (const id of (await external.get('/instances')) as string[]) {
      everything.push(JSON.stringify(await external.get(`/instances/${id}/tags?simplify`)));
    }
    expect(everything.length).toBe(study.files.length);
    const all = everything.join('\n');
    for (const secret of [original.name, original.id, ...original.uids]) {
      expect(all.includes(secret), secret).toBe(false);
    }
    expect(all).toMatch(/"PatientName":"ANON\^/);
  });
});
