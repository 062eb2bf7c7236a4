// The measure action end to end with real peers: DCMTK sends dcmqi's liver SEG and its CT to the node, a rule with
// `measure` computes IBSI features, and the SR arrives in Orthanc referencing that SEG and the CT series. Broken
// inputs get their codes: the SEG without its CT, and a FRACTIONAL copy of it. An RTSTRUCT of a ball on a synthetic
// CT gives, read back by pydicom, the features of the SEG of the same ball; contours off the slice planes get theirs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, storescu } from '../support/dcmtk.js';
import { startNode, testdata, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { testBackend } from '../support/postgres.js';
import { addDestination, ctFiles, dciodvfyErrors, e2eConfig, objectsInOrthanc,
  referencedSeries } from './loop-support.js';
import { writeSphereStudy } from '../support/rtstruct-sphere.js';

const liverSeg = path.join(testdata, 'dcmqi-seg-sr', 'liver-seg.dcm');
const CT_SERIES = '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1';
const CT_STUDY = '1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1';
const measureRule = {
  id: 'measure-segs', name: 'IBSI features of every SEG', enabled: true, priority: 1, then: 'stop',
  actions: [{ type: 'measure', features: { resampling: null }, destinations: ['orthanc'] }],
};

let orthanc: RunningOrthanc;
let node: RunningNode;

async function send(files: string[]): Promise<void> {
  const sent = await storescu(node.dimsePort, files, { callingAe: 'MODALITY', calledAe: node.aeTitle });
  if (sent.code !== 0) throw new Error(`storescu → node failed: ${sent.stderr}`);
}

async function jobsOf(studyUid: string):
  Promise<Array<{ id: number; action: string; state: string; reason: string | null }>> {
  return (await (await node.api(`/api/jobs?studyUid=${studyUid}`)).json()) as never;
}

/** Every NUM's FloatingPointValue per measurement group (by Tracking Identifier), read by pydicom, an independent
 *  reader; keyed by concept code and its modifiers' values (aggregation, parameter, measurement method). */
async function featuresByPydicom(orthanc: RunningOrthanc, id: string): Promise<Record<string, Record<string, number>>> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-sr-')), 'sr.dcm');
  fs.writeFileSync(file, Buffer.from(await (await fetch(orthanc.url(`/instances/${id}/file`))).arrayBuffer()));
  const script = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
out = {}
def walk(items):
    for it in items:
        name = it.ConceptNameCodeSequence[0].CodeValue if 'ConceptNameCodeSequence' in it else ''
        if name == '125007':
            label = next(c.TextValue for c in it.ContentSequence if c.ConceptNameCodeSequence[0].CodeValue == '112039')
            group = out.setdefault(label, {})
            for c in it.ContentSequence:
                if c.ValueType != 'NUM': continue
                mods = [m.TextValue if 'TextValue' in m else m.ConceptCodeSequence[0].CodeValue for m in c.get('ContentSequence', [])]
                group['|'.join([c.ConceptNameCodeSequence[0].CodeValue] + mods)] = float(c.MeasuredValueSequence[0].FloatingPointValue)
        elif 'ContentSequence' in it:
            walk(it.ContentSequence)
walk(ds.ContentSequence)
print(json.dumps(out))`;
  const r = await runTool('/usr/bin/python3', ['-c', script, file]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, Record<string, number>>;
}

/** A copy of the liver SEG in a new study (so it routes on its own), edited with dcmodify. */
async function segCopy(edits: string[]): Promise<string> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-seg-')), 'seg.dcm');
  fs.copyFileSync(liverSeg, file);
  const r = await runTool('dcmodify', ['-nb', '-gin', '-gst', '-gse', ...edits, file]);
  if (r.code !== 0) throw new Error(r.stderr);
  return file;
}

describe('measure: SEG from elsewhere → IBSI features SR in the PACS', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc();
    node = await startNode(e2eConfig);
    await addDestination(node, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
    expect((await node.api('/api/rules/ct-body-lung', { method: 'DELETE' })).status).toBeLessThan(300);
    const created = await node.api('/api/rules',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(measureRule) });
    expect(created.status, await created.clone().text()).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await node?.stop();
    await orthanc?.stop();
  });

  it('refuses a FRACTIONAL SEG with MEASURE_SEG_FRACTIONAL', async () => {
    const file = await segCopy(
      ['-m', '(0062,0001)=FRACTIONAL', '-i', '(0062,000E)=255', '-i', '(0062,0010)=PROBABILITY']);
    const studyUid = (await runTool('dcmdump', ['+P', '0020,000d', file])).stdout.match(/\[([^\]]+)\]/)![1]!;
    await send([file]);
    const job = await waitFor('measure job failed', async () =>
      (await jobsOf(studyUid)).find((j) => j.state === 'failed'), 60_000);
    expect(job.action).toBe('measure');
    expect(job.reason).toMatch(/^MEASURE_SEG_FRACTIONAL: /);
  }, 90_000);

  it('refuses the SEG sent without its CT (MEASURE_SOURCE_MISSING), then measures it once the CT arrives', async () => {
    await send([liverSeg]);
    const refused = await waitFor('measure job failed', async () =>
      (await jobsOf(CT_STUDY)).find((j) => j.state === 'failed'), 60_000);
    expect(refused.reason).toMatch(/^MEASURE_SOURCE_MISSING: .*none of its images are stored/);

    await send(ctFiles); // the study reopens, completes again and is routed again: the SEG is measured now
    const sr = await waitFor('SR in Orthanc', async () => (await objectsInOrthanc(orthanc, CT_STUDY).catch(() => []))
      .find((o) => o.modality === 'SR'), 90_000);
    const segUid = (await runTool('dcmdump', ['+P', '0008,0018', liverSeg])).stdout.match(/\[([^\]]+)\]/)![1]!;
    // evidence: the CT series and the SEG; the measurement group: its segment and its source series
    expect(referencedSeries(sr.tags)).toEqual(expect.arrayContaining([CT_SERIES]));
    expect(JSON.stringify(sr.tags)).toContain(segUid);
    expect(await dciodvfyErrors(orthanc, sr.id)).toEqual([]);
    const res = await fetch(orthanc.url(`/instances/${sr.id}/file`));
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-sr-')), 'sr.dcm');
    fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const dump = (await runTool('dsrdump', ['+Pc', '+Pu', file])).stdout;
    expect(dump).toContain(`(121191,DCM,"Referenced Segment")=(SG image,"${segUid}",1)`);
    expect(dump).toContain(`(121232,DCM,"Source series for segmentation")="${CT_SERIES}"`);
    expect(dump).toContain('NUM:(C0JK,IBSI,"Surface area (mesh)")');
    expect(dump).toContain('NUM:(QCFX,IBSI,"Sphericity")');
    expect(dump).toMatch(/NUM:\(GYBY,IBSI,"Joint maximum"\)/);
    expect(dump).toContain('(111002,DCM,"Algorithm Parameters")');
    // ~420 NUMs take pixelmed 20-50 s here. The SR's content does not depend on the backend, so pixelmed judges it on
    // the SQLite pass only; the PostgreSQL pass checks the rest (dciodvfy, its content, the jobs).
    if (testBackend === 'sqlite') {
      const validated = await runTool('java', ['-Djdk.xml.xpathExprOpLimit=0', '-Djdk.xml.xpathExprGrpLimit=0',
        '-Djdk.xml.xpathTotalOpLimit=0', '-cp', '/usr/share/java/pixelmed.jar',
        'com.pixelmed.validate.DicomSRValidator', file], { timeoutMs: 300_000 });
      expect(validated.stdout).toContain('Root Template Validation Complete');
      expect(validated.stdout.split('\n').filter((l) => /^Error/.test(l))).toEqual([]);
    }
    const jobs = await jobsOf(CT_STUDY);
    expect(jobs.map((j) => j.state).sort()).toEqual(['done', 'failed']);
  }, 480_000);

  it('measures an RTSTRUCT ball like the SEG of the same ball: two SRs, equal features within the tolerance', async () => {
    const ball = await writeSphereStudy();
    await send([...ball.ctFiles, ball.rtstruct, ball.seg]);
    const srs = await waitFor('two SRs in Orthanc', async () => {
      const found = (await objectsInOrthanc(orthanc, ball.studyUid).catch(() => [])).filter((o) => o.modality === 'SR');
      return found.length === 2 ? found : undefined;
    }, 120_000);
    const fromRt = srs.find((o) => JSON.stringify(o.tags).includes(ball.rtstructUid))!;
    const fromSeg = srs.find((o) => JSON.stringify(o.tags).includes(ball.segUid))!;
    expect(fromRt && fromSeg && fromRt.id !== fromSeg.id).toBe(true);
    expect(referencedSeries(fromRt.tags)).toEqual(expect.arrayContaining([ball.loaded.seriesInstanceUid]));
    expect(await dciodvfyErrors(orthanc, fromRt.id)).toEqual([]);
    const rt = (await featuresByPydicom(orthanc, fromRt.id)).Ball!,
      seg = (await featuresByPydicom(orthanc, fromSeg.id)).Ball!;
    expect(Object.keys(rt).length).toBeGreaterThan(150);
    expect(Object.keys(rt).sort()).toEqual(Object.keys(seg).sort());
    const volume = (f: Record<string, number>) => f['118565006|126030']!;
    expect(Math.abs(volume(rt) / volume(seg) - 1)).toBeLessThan(0.03); // a 64-gon against the analytic ball
    const far = Object.keys(rt).filter((k) => Math.abs(rt[k]! - seg[k]!) > 0.1 * Math.max(Math.abs(seg[k]!), 1e-6));
    expect(far.length, far.join(', ')).toBeLessThan(Object.keys(rt).length * 0.1);
    const jobs = await jobsOf(ball.studyUid);
    expect(jobs.map((j) => `${j.action} ${j.state}`)).toEqual(['measure done', 'measure done']);
  }, 240_000);

  it('refuses an RTSTRUCT whose contours lie between the slice planes with MEASURE_CONTOUR_OFF_PLANE', async () => {
    const off = await writeSphereStudy({ offPlane: true });
    await send([...off.ctFiles, off.rtstruct]);
    const job = await waitFor('measure job failed', async () =>
      (await jobsOf(off.studyUid)).find((j) => j.state === 'failed'), 90_000);
    expect(job.action).toBe('measure');
    expect(job.reason).toMatch(/^MEASURE_CONTOUR_OFF_PLANE: a contour of ROI "Ball"/);
  }, 120_000);
});
