// Detection end to end with real peers: DCMTK sends synthetic radiographs with metal objects at known boxes (a
// MONOCHROME1 CR, a letterboxed portrait DX) and a CT series with metal on two slices; rules run the built-in cxr-metal
// detector (as is, and as a per-slice model on CT); the SR arrives in Orthanc and pydicom reads back each SCOORD
// rectangle: equal to the phantom's box in source pixels within 1 px, on the right image (slice).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storescu } from '../support/dcmtk.js';
import { queryNode, repoRoot, startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { readSrGroups, type SrGroup } from '../support/sr-findings.js';
import { loadImageFrame } from '../../src/infer/image2d/load.js';
import { phantomHu, writeSyntheticCtSeries, writeSyntheticRadiograph, type PixelBox,
  type SyntheticRadiographOptions } from '../../src/synthetic/index.js';
import { addDestination, dciodvfyErrors, e2eConfig, fileFromOrthanc, objectsInOrthanc } from './loop-support.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-detect-'));
const modelsDir = path.join(tmp, 'models');
const METAL = '425620007';

/** cxr-metal as shipped, and the same network as a per-slice model for CT (a fixed window that keeps metal white). */
function writeModels(): void {
  fs.cpSync(path.join(repoRoot, 'models/cxr-metal'), path.join(modelsDir, 'cxr-metal'), { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'cxr-metal/model.json'), 'utf8'));
  fs.cpSync(path.join(modelsDir, 'cxr-metal'), path.join(modelsDir, 'ct-metal-slices'), { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'ct-metal-slices/model.json'), JSON.stringify({
    ...manifest, id: 'ct-metal-slices', applicability: { modalities: ['CT'] },
    input: { ...manifest.input, window: { source: 'fixed', center: 1500, width: 3000 } },
    inference: { mode: 'perSlice', batch: 4 },
  }));
}

const rule = (id: string, model: string, modalities: string[]) => ({
  id, name: id, enabled: true, priority: 5, then: 'stop',
  when: { all: [{ attribute: 'Modality', op: 'in', value: modalities }] },
  actions: [{ type: 'runModel', model,
    series: { where: { attribute: 'Modality', op: 'in', value: modalities }, pick: 'all' },
    outputs: ['SR'], destinations: ['orthanc'] }],
});

let orthanc: RunningOrthanc;
let node: RunningNode;

async function send(files: string[]): Promise<void> {
  const sent = await storescu(node.dimsePort, files, { callingAe: 'MODALITY', calledAe: node.aeTitle });
  if (sent.code !== 0) throw new Error(`storescu → node failed: ${sent.stderr}`);
}

async function srGroups(studyUid: string): Promise<SrGroup[]> {
  const sr = await waitFor(`SR of ${studyUid}`, async () =>
    (await objectsInOrthanc(orthanc, studyUid).catch(() => [])).find((o) => o.modality === 'SR'), 90_000);
  expect(await dciodvfyErrors(orthanc, sr.id)).toEqual([]);
  return readSrGroups(await fileFromOrthanc(orthanc, sr.id));
}

/** The rectangle of a closed 5-point POLYLINE as [x0, y0, x1, y1]. */
function rectangle(data: number[]): [number, number, number, number] {
  const xs = data.filter((_, n) => n % 2 === 0);
  const ys = data.filter((_, n) => n % 2 === 1);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function expectBoxes(groups: SrGroup[], truth: PixelBox[], image?: string): void {
  const boxes = groups.filter((g) => g.finding === METAL && g.scoords.length > 0);
  expect(boxes).toHaveLength(truth.length);
  for (const t of truth) {
    const match = boxes.find((g) =>
      Math.abs(rectangle(g.scoords[0]!.data)[0] - t.x0) <= 1 && Math.abs(rectangle(g.scoords[0]!.data)[1] - t.y0) <= 1);
    expect(match, `a box at ${JSON.stringify(t)}; got ${boxes.map((b) => rectangle(b.scoords[0]!.data).join(',')).join(' | ')}`).toBeDefined();
    const [x0, y0, x1, y1] = rectangle(match!.scoords[0]!.data);
    const off = [x0, y0, x1, y1].map((v, n) => Math.abs(v - [t.x0, t.y0, t.x1, t.y1][n]!));
    expect(Math.max(...off), `box ${[x0, y0, x1, y1].join(',')} for ${JSON.stringify(t)}`).toBeLessThanOrEqual(1);
    expect(match!.scoords[0]!.type).toBe('POLYLINE');
    expect(match!.scoords[0]!.data).toHaveLength(10); // closed: 5 points, the first again at the end
    if (image) expect(match!.scoords[0]!.image).toBe(image);
    expect(match!.nums['111012']).toBeGreaterThan(0.6);
  }
}

describe('detection: radiographs and CT slices → metal boxes in the SR, on their source pixels', () => {
  beforeAll(async () => {
    writeModels();
    orthanc = await startOrthanc();
    const rulesFile = path.join(tmp, 'rules.json');
    fs.writeFileSync(rulesFile, JSON.stringify({ rules: [] })); // the seeded rules name ct-body-lung, not loaded here
    node = await startNode({ ...e2eConfig, models: { dir: modelsDir }, routing: { rulesFile } });
    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    for (const r of [rule('metal-xr', 'cxr-metal', ['DX', 'CR']), rule('metal-ct', 'ct-metal-slices', ['CT'])]) {
      const created = await node.api('/api/rules',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(r) });
      expect(created.status, await created.clone().text()).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
    await orthanc?.stop();
  });

  const radiographs: Array<[string, SyntheticRadiographOptions]> = [
    ['MONOCHROME1 CR 512², two objects', { kind: 'CR', photometric: 'MONOCHROME1', objects: [
      { x0: 100, y0: 120, x1: 130, y1: 140 }, { x0: 300, y0: 330, x1: 312, y1: 345 }] }],
    ['letterboxed portrait DX 1024×768 (scale 0.5, 64-px bands), 16 bits', { rows: 1024, columns: 768, bitsStored: 16,
      objects: [{ x0: 200, y0: 300, x1: 260, y1: 340 }, { x0: 500, y0: 700, x1: 520, y1: 716 }] }],
  ];
  for (const [name, opts] of radiographs) {
    it(`${name}: one box per object, equal to its source box within 1 px`, async () => {
      const r = await writeSyntheticRadiograph(path.join(tmp, `${name.split(' ')[0]}.dcm`), opts);
      await send([r.file]);
      expectBoxes(await srGroups(r.studyInstanceUid), opts.objects!, r.sopInstanceUid);
    }, 120_000);
  }

  it('a radiograph without metal: no box, Metal reported Absent', async () => {
    const r = await writeSyntheticRadiograph(path.join(tmp, 'clean.dcm'), { view: 'lateral' });
    await send([r.file]);
    const groups = await srGroups(r.studyInstanceUid);
    expect(groups.flatMap((g) => g.scoords)).toEqual([]);
    expect(groups.filter((g) => g.evaluations[METAL] === '2667000')).toHaveLength(1);
  }, 120_000);

  it('per slice on CT: boxes on the two slices that hold metal, at their in-plane position', async () => {
    const phantom = phantomHu({ slices: 6, rows: 256, columns: 256 });
    const box: PixelBox = { x0: 100, y0: 80, x1: 120, y1: 96 };
    for (const k of [2, 4]) for (let y = box.y0; y < box.y1; y++)
      phantom.hu.fill(3000, k * 256 * 256 + y * 256 + box.x0, k * 256 * 256 + y * 256 + box.x1);
    const series = await writeSyntheticCtSeries(path.join(tmp, 'ct'), { phantom });
    await send(series.files);
    const groups = await srGroups(series.studyInstanceUid);
    const uids = await Promise.all(series.files.map(async (f) => (await loadImageFrame(f)).sopInstanceUid));
    const boxes = groups.filter((g) => g.scoords.length > 0);
    expect(boxes.map((g) => uids.indexOf(g.scoords[0]!.image!)).sort()).toEqual([2, 4]);
    for (const g of boxes) expectBoxes([g], [box]);
    // the rules see the slices too: one Metal finding, present, on slices 2 and 4
    const rows = queryNode(node, `SELECT f.code_value AS code, f.present, f.slices FROM result_findings f
      JOIN results r ON r.id = f.result_id JOIN jobs j ON j.id = r.job_id WHERE j.study_uid = ?`,
      series.studyInstanceUid);
    expect(rows).toEqual([{ code: METAL, present: 1, slices: '[2,4]' }]);
  }, 120_000);
});
