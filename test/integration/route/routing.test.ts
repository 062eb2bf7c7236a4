// Routing through the running node: studies sent by DCMTK, rules changed over the admin API, jobs
// and dry runs read back over HTTP.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, startReferenceScp, storescu } from '../../support/dcmtk.js';
import { freePort, READ_ONLY_TOKEN, startNode, testdata, waitFor,
  type RunningNode } from '../../support/node-process.js';

const ct = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
const mr = path.join(testdata, 'pydicom/MR_small.dcm');
const newUid = () => `2.25.${BigInt(`0x${crypto.randomBytes(15).toString('hex')}`)}`;

/** A fresh copy of the 3-slice CT as a new study (new study/series/instance UIDs); returns its study UID. */
async function sendFreshCt(node: RunningNode): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'route-'));
  const files = ct.map((f, i) => { const out = path.join(dir, `${i}.dcm`); fs.copyFileSync(f, out); return out; });
  const studyUid = newUid();
  const r = await runTool('dcmodify',
    ['-nb', '-m', `(0020,000D)=${studyUid}`, '-m', `(0020,000E)=${newUid()}`, '-gin', ...files]);
  expect(r.code, r.stderr).toBe(0);
  expect((await storescu(node.dimsePort, files, { proposal: '-xi' })).code).toBe(0);
  return studyUid;
}

async function json(res: Promise<Response>): Promise<any> {
  return (await res).json();
}

async function jobsOf(node: RunningNode, studyUid: string): Promise<any[]> {
  return json(node.api(`/api/jobs?studyUid=${studyUid}`));
}

/** Waits until the node has routed the study (its completion consumed) and returns its jobs. */
async function routed(node: RunningNode, studyUid: string): Promise<any[]> {
  await waitFor(`study ${studyUid} routed`,
    () => node.logs().some((l) => l.event === 'route.study.routed' && l.studyUid === studyUid) || undefined, 20_000);
  return jobsOf(node, studyUid);
}

const post = (node: RunningNode, p: string, body?: unknown) =>
  node.api(p, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
const put = (node: RunningNode, p: string, body: unknown) =>
  node.api(p, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('routing rules on the running node', () => {
  let node: RunningNode;
  let mrStudy: string;
  beforeAll(async () => {
    node = await startNode({ completion: { seriesQuietSeconds: 0.5, studyQuietSeconds: 1, sweepIntervalMs: 100 } });
  });
  afterAll(async () => { await node?.stop(); });

  it('routes a CT to the built-in model (seeded rules) and skips an MR', async () => {
    const ctStudy = await sendFreshCt(node);
    expect((await storescu(node.dimsePort, [mr], { proposal: '-xe' })).code).toBe(0);
    mrStudy = '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457';
    const ctJobs = await routed(node, ctStudy);
    expect(ctJobs).toHaveLength(1);
    // What routing decided (the runner may already have moved the job on).
    expect(ctJobs[0]).toMatchObject({ action: 'runModel', modelId: 'ct-body-lung', ruleId: 'ct-body-lung',
      rulesVersion: 1, outputs: ['SEG', 'SR'], destinations: ['reply-to-sender'] });
    expect(ctJobs[0].stages[0]).toMatchObject({ stage: 'route' });
    const mrStudies = await json(node.api('/api/studies'));
    const mrUid = mrStudies.find((s: any) => s.studyInstanceUid !== ctStudy)?.studyInstanceUid;
    mrStudy = mrUid;
    expect(await routed(node, mrUid)).toEqual([]);
  });

  it('explains in a dry run why the CT rule does not match the MR', async () => {
    const res = await post(node, '/api/rules/test', { studyInstanceUid: mrStudy });
    expect(res.status).toBe(200);
    const decision = await res.json() as any;
    const outcome = decision.outcomes.find((o: any) => o.ruleId === 'ct-body-lung');
    expect(outcome.matched).toBe(false);
    const modality = outcome.trace.find((t: any) => t.condition.attribute === 'Modality');
    expect(modality).toMatchObject({ actual: 'MR', passed: false });
    expect(modality.why).toMatch(/MR/);
    expect(decision.planned).toEqual([]);
  });

  it('does nothing for a disabled rule, and records who disabled it', async () => {
    const res = await post(node, '/api/rules/ct-body-lung/disable');
    expect(res.status).toBe(200);
    expect((await res.json() as any).version).toBe(2);
    const study = await sendFreshCt(node);
    expect(await routed(node, study)).toEqual([]);
    const audit = await json(node.api('/api/audit'));
    expect(audit[0]).toMatchObject({ actor: 'admin', action: 'disable', target: 'rule:ct-body-lung' });
    expect(audit[0].before.enabled).toBe(true);
    expect(audit[0].after.enabled).toBe(false);
  });

  it('honours stop and continue between rules', async () => {
    const pacsPort = await freePort();
    expect((await post(node, '/api/destinations', { id: 'pacs', name: 'Test PACS', type: 'dimse', aeTitle: 'PACS',
      host: '127.0.0.1', port: pacsPort })).status).toBe(201);
    const forwardAll = { id: 'forward-all', name: 'Forward everything', enabled: true, priority: 5,
      actions: [{ type: 'forward', destinations: ['pacs'] }], then: 'stop' };
    expect((await post(node, '/api/rules', forwardAll)).status).toBe(201);
    expect((await post(node, '/api/rules/ct-body-lung/enable')).status).toBe(200);
    const listed = await json(node.api('/api/rules'));
    expect(listed.rules.map((r: any) => r.id))
      .toEqual(['forward-all', 'ct-body-lung']); // evaluation order: priority 5 before 10
    const stopped = await routed(node, await sendFreshCt(node));
    expect(stopped.map((j) => [j.ruleId, j.action])).toEqual([['forward-all', 'forward']]);

    expect((await put(node, '/api/rules/forward-all', { ...forwardAll, then: 'continue' })).status).toBe(200);
    const continued = await routed(node, await sendFreshCt(node));
    expect(continued.map((j) => [j.ruleId, j.action]).sort())
      .toEqual([['ct-body-lung', 'runModel'], ['forward-all', 'forward']]);
  });

  it('refuses an invalid rule with the offending path, and rolls back to any version', async () => {
    const bad = { id: 'bad', name: 'Bad', enabled: true, priority: 1, when: { all: [{ attribute: 'Modality',
      op: 'matches', value: '(' }] }, actions: [{ type: 'runModel', model: 'no-such-model', series: { pick: 'all' },
      outputs: ['SEG'], destinations: ['reply-to-sender'] }], then: 'stop' };
    const res = await post(node, '/api/rules', bad);
    expect(res.status).toBe(422);
    const body = await res.json() as any;
    expect(body.code).toBe('RULES_INVALID');
    const paths = body.problems.map((p: any) => p.path);
    expect(paths).toContain('/when/all/0/value');
    expect(paths).toContain('/actions/0/model');

    const versions = await json(node.api('/api/rules/versions'));
    expect(versions.map((v: any) => v.version))
      .toEqual([...versions.map((v: any) => v.version)].sort((a: number, b: number) => b - a));
    const rollback = await post(node, '/api/rules/rollback', { version: 1 });
    expect(rollback.status).toBe(200);
    const now = await json(node.api('/api/rules'));
    const v1 = await json(node.api('/api/rules/versions/1'));
    expect(now.rules).toEqual(v1.rules);
    expect(now.version).toBe(versions[0].version + 1);
  });

  it('verifies a DIMSE destination with C-ECHO against DCMTK storescp', async () => {
    const scp = await startReferenceScp();
    try {
      expect((await post(node, '/api/destinations', { id: 'ref', name: 'storescp', type: 'dimse', aeTitle: 'REFSCP',
        host: '127.0.0.1', port: scp.port })).status).toBe(201);
      const ok = await json(post(node, '/api/destinations/ref/verify'));
      expect(ok.ok, ok.detail).toBe(true);
      const down = await json(post(node, '/api/destinations/pacs/verify'));
      expect(down.ok).toBe(false);
      expect(down.detail).toMatch(/cannot reach|ECONNREFUSED|rejected/i);
    } finally {
      scp.stop();
    }
  });

  it('needs a token; the read-only token reads but cannot write', async () => {
    expect((await fetch(node.url('/api/rules'))).status).toBe(401);
    const ro = { authorization: `Bearer ${READ_ONLY_TOKEN}` };
    expect((await fetch(node.url('/api/rules'), { headers: ro })).status).toBe(200);
    const write = await fetch(node.url('/api/rules/ct-body-lung/disable'), { method: 'POST', headers: ro });
    expect(write.status).toBe(403);
    expect((await write.json() as any).code).toBe('AUTH_FORBIDDEN');
  });
});
