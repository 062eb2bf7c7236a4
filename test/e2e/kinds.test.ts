// Classification end to end with real peers: DCMTK sends synthetic radiographs (a frontal CR in MONOCHROME1, a
// lateral portrait DX in 16 bits) to the node, a rule runs the built-in cxr-view classifier, and the SR arrives in
// Orthanc; pydicom reads it back: the drawn view Present with a high score, the other Absent at its operating point.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storescu } from '../support/dcmtk.js';
import { queryNode, startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { readSrGroups } from '../support/sr-findings.js';
import { writeSyntheticRadiograph, type SyntheticRadiographOptions } from '../../src/synthetic/index.js';
import { addDestination, dciodvfyErrors, e2eConfig, fileFromOrthanc, objectsInOrthanc,
  referencedSeries } from './loop-support.js';

const viewRule = {
  id: 'cxr-view', name: 'Chest radiograph view', enabled: true, priority: 5, then: 'stop',
  when: { all: [{ attribute: 'Modality', op: 'in', value: ['DX', 'CR'] }] },
  actions: [{ type: 'runModel', model: 'cxr-view',
    series: { where: { attribute: 'Modality', op: 'in', value: ['DX', 'CR'] }, pick: 'all' },
    outputs: ['SR'], destinations: ['orthanc'] }],
};

let orthanc: RunningOrthanc;
let node: RunningNode;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-kinds-'));

async function sendRadiograph(name: string, opts: SyntheticRadiographOptions) {
  const r = await writeSyntheticRadiograph(path.join(tmp, `${name}.dcm`), opts);
  const sent = await storescu(node.dimsePort, [r.file], { callingAe: 'MODALITY', calledAe: node.aeTitle });
  if (sent.code !== 0) throw new Error(`storescu → node failed: ${sent.stderr}`);
  return r;
}

async function srInOrthanc(studyUid: string) {
  return waitFor(`SR of ${studyUid} in Orthanc`, async () =>
    (await objectsInOrthanc(orthanc, studyUid).catch(() => [])).find((o) => o.modality === 'SR'), 90_000);
}

describe('classification: radiograph → cxr-view → SR in the PACS', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    node = await startNode(e2eConfig);
    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    const created = await node.api('/api/rules',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(viewRule) });
    expect(created.status, await created.clone().text()).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
    await orthanc?.stop();
  });

  const cases: Array<[string, SyntheticRadiographOptions, 'frontal' | 'lateral']> = [
    ['frontal CR MONOCHROME1 512²', { kind: 'CR', view: 'frontal', photometric: 'MONOCHROME1' }, 'frontal'],
    ['lateral DX portrait 2500×2000, 16 bits', { view: 'lateral', rows: 2500, columns: 2000, bitsStored: 16 },
      'lateral'],
  ];
  for (const [name, opts, view] of cases) {
    it(`${name}: ${view} Present with its score, the other view Absent`, async () => {
      const sent = await sendRadiograph(name.split(' ')[0]!, opts);
      const sr = await srInOrthanc(sent.studyInstanceUid);
      expect(referencedSeries(sr.tags)).toContain(sent.seriesInstanceUid);
      expect(await dciodvfyErrors(orthanc, sr.id)).toEqual([]);
      const groups = readSrGroups(await fileFromOrthanc(orthanc, sr.id));
      const byFinding = Object.fromEntries(groups.map((g) => [g.finding, g]));
      const [yes, no] = view === 'frontal' ? ['399033003', '399067008'] : ['399067008', '399033003'];
      expect(byFinding[yes]!.evaluations[yes]).toBe('52101004');
      expect(byFinding[no]!.evaluations[no]).toBe('2667000');
      expect(byFinding[yes]!.nums['111012']).toBeGreaterThan(0.9);
      expect(byFinding[yes]!.nums['111012']! + byFinding[no]!.nums['111012']!).toBeCloseTo(1, 3);
      expect(byFinding[no]!.texts['111002']).toEqual(['operating point 0.5: Present when the score is at least 0.5']);
      expect(byFinding[yes]!.images).toEqual([[sent.sopInstanceUid, null]]);
      // the rules see the same answer: the result's findings in the node's database
      const rows = queryNode<{ code: string; present: number; score: number }>(node,
        `SELECT f.code_value AS code, f.present,
        f.score FROM result_findings f JOIN results r ON r.id = f.result_id JOIN jobs j ON j.id = r.job_id WHERE j.study_uid = ?
        ORDER BY f.id`, sent.studyInstanceUid);
      expect(rows.map((r) => [r.code, r.present])).toEqual(
        [['399033003', view === 'frontal' ? 1 : 0], ['399067008', view === 'lateral' ? 1 : 0]]);
      expect(rows.find((r) => r.code === yes)!.score).toBeCloseTo(byFinding[yes]!.nums['111012']!, 5);
    }, 120_000);
  }
});
