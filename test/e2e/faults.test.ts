// The loop under faults, end to end: the PACS down when results are ready, the node killed with
// SIGKILL mid-inference and mid-export, and a PACS that rejects the node's AE title. Each study
// must end in Orthanc exactly once (or, when rejected, fail permanently without retries).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticCtSeries } from '../../src/synthetic/index.js';
import { startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { addDestination, deliveriesOf, e2eConfig, jobOf, objectsInOrthanc, resultsInOrthanc, sendNewStudy, startGate,
  type SentStudy } from './loop-support.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

async function orthancForTest(overrides: Record<string, unknown> = {}): Promise<RunningOrthanc> {
  const o = await startOrthanc(overrides);
  cleanups.push(() => (o.process.exitCode === null && o.process.signalCode === null ? o.stop() : undefined));
  return o;
}

async function nodeForTest(dataDir: string): Promise<RunningNode> {
  const n = await startNode(e2eConfig, { dataDir });
  // stop() waits for an exit that already happened when the test killed it itself: skip those.
  cleanups.push(() => (n.process.exitCode === null && n.process.signalCode === null ? n.stop('SIGKILL') : undefined));
  return n;
}

/** Orthanc holds exactly one SEG and one SR for the study, and the node sent each once and is done. */
async function expectDeliveredOnce(orthanc: RunningOrthanc, node: RunningNode, study: SentStudy): Promise<void> {
  const { seg, sr } = await resultsInOrthanc(orthanc, study.studyUid, 90_000);
  const job = await jobOf(node, study.studyUid);
  const deliveries = await waitFor('deliveries settled', async () => {
    const d = await deliveriesOf(node, job.id);
    return d.length === 2 && d.every((x) => x.state === 'delivered') ? d : undefined;
  });
  expect(new Set(deliveries.map((d) => d.sopInstanceUid))).toEqual(
    new Set([seg.tags.SOPInstanceUID, sr.tags.SOPInstanceUID]));
  await new Promise((r) => setTimeout(r, 1000)); // a late duplicate send would land now
  expect((await objectsInOrthanc(orthanc, study.studyUid)).map((o) => o.modality).sort()).toEqual(['SEG', 'SR']);
  expect(((await (await node.api(`/api/jobs?studyUid=${study.studyUid}`)).json()) as any[]).map((j) => j.state))
    .toEqual(['done']);
}

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${name}-`));
const dimseTo = (o: RunningOrthanc, port = o.dicomPort) =>
  ({ id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: o.aeTitle, host: '127.0.0.1', port });

describe('the loop under faults', () => {
  it('Orthanc down when the results are ready: deliveries wait, then arrive once when it is back', async () => {
    let orthanc = await orthancForTest();
    const node = await nodeForTest(tmp('down'));
    await addDestination(node, dimseTo(orthanc));
    await orthanc.stop();
    const study = await sendNewStudy(node, orthanc.aeTitle);
    const job = await jobOf(node, study.studyUid);
    const waiting = await waitFor('failed attempts while Orthanc is down', async () => {
      const d = await deliveriesOf(node, job.id);
      return d.length === 2 && d.every((x) => x.state === 'pending' && x.attempts >= 2) ? d : undefined;
    });
    expect(waiting.every((d) => /cannot reach|closed|ECONNREFUSED/i.test(d.lastError ?? '')),
      JSON.stringify(waiting)).toBe(true);
    orthanc = await orthanc.restart();
    const back = orthanc;
    cleanups.push(() => back.stop());
    await expectDeliveredOnce(orthanc, node, study);
  });

  it('SIGKILL mid-inference: after restart on the same data the study is still delivered exactly once', async () => {
    const orthanc = await orthancForTest();
    const dir = tmp('kill-infer');
    // unet3d-bench (a real 3D U-Net) runs for seconds on a CPU: long enough to be killed inside it.
    const series = await writeSyntheticCtSeries(path.join(dir, 'series'),
      { slices: 24, rows: 64, columns: 64, pixelSpacing: 1.5, sliceSpacing: 1.5 });
    const first = await nodeForTest(dir);
    await addDestination(first, dimseTo(orthanc));
    const rule = { id: 'slow-bench', name: 'Benchmark model on CT', enabled: true, priority: 1,
      when: { all: [{ attribute: 'Modality', op: 'in', value: ['CT'] }] },
      actions: [{ type: 'runModel', model: 'unet3d-bench',
        series: { where: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }] }, pick: 'thinnest' },
        outputs: ['SEG', 'SR'], destinations: ['orthanc'] }], then: 'stop' };
    expect((await first.api('/api/rules', { method: 'POST',
      headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) })).status).toBe(201);
    const study = await sendNewStudy(first, 'MODALITY', series.files);
    await waitFor('job in inference', async () => {
      const job = await jobOf(first, study.studyUid);
      return job.state === 'running' && job.stages.some((s: any) => s.stage === 'load')
        && !job.stages.some((s: any) => s.stage === 'infer') ? job : undefined;
    }, 60_000);
    await first.stop('SIGKILL');
    expect(await objectsInOrthanc(orthanc, study.studyUid)).toEqual([]);
    const second = await nodeForTest(dir);
    await expectDeliveredOnce(orthanc, second, study);
  });

  it('SIGKILL mid-export (an association to the PACS open, nothing stored yet): delivered exactly once after restart', async () => {
    const orthanc = await orthancForTest();
    const gate = await startGate(orthanc.dicomPort);
    cleanups.push(() => gate.stop());
    const dir = tmp('kill-export');
    const first = await nodeForTest(dir);
    await addDestination(first, dimseTo(orthanc, gate.port));
    gate.hold();
    const study = await sendNewStudy(first, orthanc.aeTitle);
    const job = await jobOf(first, study.studyUid);
    await waitFor('a delivery being sent', async () =>
      (await deliveriesOf(first, job.id)).some((d) => d.state === 'sending') && gate.connections() > 0 || undefined);
    await first.stop('SIGKILL');
    gate.open();
    expect(await objectsInOrthanc(orthanc, study.studyUid)).toEqual([]);
    const second = await nodeForTest(dir);
    await expectDeliveredOnce(orthanc, second, study);
  });

  it('a PACS that rejects the node\'s AE title: the delivery fails permanently and is not retried', async () => {
    const orthanc = await orthancForTest({ DicomAlwaysAllowStore: false, DicomAlwaysAllowEcho: false,
      DicomModalities: { other: ['SOMEONE_ELSE', '127.0.0.1', 104] } });
    const node = await nodeForTest(tmp('reject'));
    await addDestination(node, dimseTo(orthanc));
    const study = await sendNewStudy(node, orthanc.aeTitle);
    const job = await jobOf(node, study.studyUid);
    const failed = await waitFor('deliveries failed', async () => {
      const d = await deliveriesOf(node, job.id);
      return d.length === 2 && d.every((x) => x.state === 'failed-permanent') ? d : undefined;
    }, 60_000);
    expect(failed.map((d) => d.lastError).join('\n')).toMatch(/reject/i);
    await new Promise((r) => setTimeout(r, 2500)); // several retry periods (0.5–1 s) pass: nothing moves
    expect((await deliveriesOf(node, job.id)).map((d) => [d.state, d.attempts])).toEqual(
      [['failed-permanent', 1], ['failed-permanent', 1]]);
    expect(node.logs().filter((l) => l.event === 'export.retry')).toEqual([]);
    expect(await objectsInOrthanc(orthanc, study.studyUid)).toEqual([]);
  });
});
