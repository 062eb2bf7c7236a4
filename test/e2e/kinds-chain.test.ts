// Chained models end to end: a rule runs cxr-view on every radiograph, a second rule runs cxr-metal only where an
// earlier result of the study says "frontal" with a score of at least 0.7. A frontal radiograph with metal gets both
// SRs in Orthanc (the metal box where the phantom put it); a lateral one with the same metal gets the view SR only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storescu } from '../support/dcmtk.js';
import { startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { readSrGroups } from '../support/sr-findings.js';
import { writeSyntheticRadiograph, type SyntheticRadiographOptions } from '../../src/synthetic/index.js';
import { addDestination, e2eConfig, fileFromOrthanc, objectsInOrthanc, type OrthancObject } from './loop-support.js';

const XR = { attribute: 'Modality', op: 'in', value: ['DX', 'CR'] };
const action = (model: string) =>
  ({ type: 'runModel', model, series: { where: XR, pick: 'all' }, outputs: ['SR'], destinations: ['orthanc'] });
const rules = [
  { id: 'view', name: 'view of every radiograph', enabled: true, priority: 1, then: 'continue', when: { all: [XR] },
    actions: [action('cxr-view')] },
  { id: 'metal-if-frontal', name: 'metal on frontal views', enabled: true, priority: 2, then: 'continue',
    when: { Finding: { model: 'cxr-view', code: { scheme: 'SCT', value: '399033003' }, present: true, minScore: 0.7 } },
    actions: [action('cxr-metal')] },
];
const metal = { x0: 100, y0: 120, x1: 130, y1: 140 };

let orthanc: RunningOrthanc;
let node: RunningNode;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chain-'));

async function send(name: string, opts: SyntheticRadiographOptions) {
  const r = await writeSyntheticRadiograph(path.join(tmp, `${name}.dcm`), { ...opts, objects: [metal] });
  const sent = await storescu(node.dimsePort, [r.file], { callingAe: 'MODALITY', calledAe: node.aeTitle });
  if (sent.code !== 0) throw new Error(`storescu → node failed: ${sent.stderr}`);
  return r;
}

const srs = async (studyUid: string): Promise<OrthancObject[]> =>
  (await objectsInOrthanc(orthanc, studyUid).catch(() => [])).filter((o) => o.modality === 'SR');
const jobsOf = async (studyUid: string): Promise<Array<{ modelId: string; state: string }>> =>
  (await (await node.api(`/api/jobs?studyUid=${studyUid}`)).json()) as never;

describe('chained models: cxr-metal only where cxr-view found a frontal view', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    node = await startNode(e2eConfig);
    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    for (const rule of rules) {
      const created = await node.api('/api/rules',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
      expect(created.status, await created.clone().text()).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
    await orthanc?.stop();
  });

  it('a frontal radiograph: the view SR, then the metal SR with the box', async () => {
    const r = await send('frontal', { view: 'frontal' });
    const both = await waitFor('two SRs',
      async () => { const s = await srs(r.studyInstanceUid); return s.length === 2 ? s : undefined; }, 120_000);
    const groups = (await Promise.all(both.map(async (o) =>
      readSrGroups(await fileFromOrthanc(orthanc, o.id))))).flat();
    const box = groups.find((g) => g.scoords.length > 0)!;
    const xs = box.scoords[0]!.data.filter((_, n) => n % 2 === 0);
    expect([Math.min(...xs), Math.max(...xs)]).toEqual([metal.x0, metal.x1]);
    expect(groups.some((g) => g.finding === '399033003' && g.evaluations['399033003'] === '52101004')).toBe(true);
    const jobs = await jobsOf(r.studyInstanceUid);
    expect(jobs.map((j) => [j.modelId, j.state]).sort()).toEqual([['cxr-metal', 'done'], ['cxr-view', 'done']]);
  }, 150_000);

  it('a lateral radiograph with the same metal: the view SR only, no metal job', async () => {
    const r = await send('lateral', { view: 'lateral' });
    await waitFor('the view SR', async () => (await srs(r.studyInstanceUid)).length === 1, 120_000);
    await waitFor('the view job done', async () =>
      (await jobsOf(r.studyInstanceUid)).some((j) => j.state === 'done'), 30_000);
    // time the re-evaluation after the stored result would need
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect((await jobsOf(r.studyInstanceUid)).map((j) => j.modelId)).toEqual(['cxr-view']);
    expect(await srs(r.studyInstanceUid)).toHaveLength(1);
  }, 150_000);
});
