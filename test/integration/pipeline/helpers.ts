// Shared steps of the pipeline tests: send a study with DCMTK, read the node's tables read-only, scrape /metrics.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { runTool, storescu } from '../../support/dcmtk.js';
import { testdata, waitFor, type RunningNode } from '../../support/node-process.js';

export const ctFiles = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
export const newUid = () => `2.25.${BigInt(`0x${crypto.randomBytes(15).toString('hex')}`)}`;
export const quickCompletion = { completion: { seriesQuietSeconds: 0.5, studyQuietSeconds: 1, sweepIntervalMs: 100 } };

/** Copies `files` as a new study (fresh study/series/instance UIDs), sends it, returns its study UID. */
export async function sendAsNewStudy(node: RunningNode, files: string[], callingAe = 'TESTSCU'): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
  const copies = files.map((f, i) => { const out = path.join(dir, `${i}.dcm`); fs.copyFileSync(f, out); return out; });
  const studyUid = newUid();
  const r = await runTool('dcmodify',
    ['-nb', '-m', `(0020,000D)=${studyUid}`, '-m', `(0020,000E)=${newUid()}`, '-gin', ...copies]);
  expect(r.code, r.stderr).toBe(0);
  const sent = await storescu(node.dimsePort, copies, { proposal: '-xi', callingAe });
  expect(sent.code, sent.stderr).toBe(0);
  return studyUid;
}

export const post = (node: RunningNode, p: string, body?: unknown) =>
  node.api(p, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });

export async function jobsOf(node: RunningNode, studyUid: string): Promise<any[]> {
  return (await node.api(`/api/jobs?studyUid=${studyUid}`)).json();
}

/** Waits for the study's (single) job to reach a final state. */
export async function finishedJob(node: RunningNode, studyUid: string, timeoutMs = 60_000): Promise<any> {
  return waitFor(`job of ${studyUid} finished`, async () => {
    const [job] = await jobsOf(node, studyUid);
    return job && ['done', 'failed', 'cancelled'].includes(job.state) ? job : undefined;
  }, timeoutMs);
}

/** One sample of /metrics as name{labels} → value. */
export async function scrape(node: RunningNode): Promise<Map<string, number>> {
  const res = await fetch(node.url('/metrics'));
  expect(res.status).toBe(200);
  const text = await res.text();
  return new Map(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => {
    const at = l.lastIndexOf(' ');
    return [l.slice(0, at), Number(l.slice(at + 1))];
  }));
}
