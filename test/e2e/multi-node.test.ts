// Three node processes on one PostgreSQL queue and one data directory, with real peers (DCMTK storescu sends, Orthanc
// is the PACS): studies sent to different nodes, one split across two nodes; every study completes once, every job
// runs once, every result arrives in Orthanc once. Then a node dies mid-job (SIGKILL) and another finishes the job
// after its lease runs out, still once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, storescu } from '../support/dcmtk.js';
import { startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { createTestDatabase } from '../support/postgres.js';
import { addDestination, ctFiles, deliveriesOf, objectsInOrthanc, resultsInOrthanc } from './loop-support.js';

const LEASE_SECONDS = 5; // the shortest the configuration allows
let orthanc: RunningOrthanc;
let url: string;
let shared: string;
const nodes: RunningNode[] = [];
/** Every node process started, the stopped and killed ones too: their logs count. */
const everyNode: RunningNode[] = [];

// Quiet periods long enough that the two halves of the split study land within one revision.
const configFor = (id: string) => ({
  node: { id }, database: { url },
  completion: { seriesQuietSeconds: 2, studyQuietSeconds: 3, sweepIntervalMs: 100 },
  runner: { pollIntervalMs: 200, leaseSeconds: LEASE_SECONDS },
  export: { leaseSeconds: 5, retry: { baseSeconds: 0.5, maxSeconds: 1, maxAttempts: 20 } },
});

async function start(id: string, env: Record<string, string> = {}): Promise<RunningNode> {
  const saved = { ...process.env };
  Object.assign(process.env, env); // startNode passes the test's environment to the node
  try {
    const node = await startNode(configFor(id), { dataDir: shared });
    everyNode.push(node);
    return node;
  } finally {
    process.env = saved;
  }
}

const newUid = () => `2.25.${BigInt(`0x${[...crypto.getRandomValues(new Uint8Array(15))].map((b) => b.toString(16).padStart(2, '0')).join('')}`)}`;

/** The 3-slice CT as a new study; `parts[i]` lists the file indexes sent to nodes[i] (at the same time). */
async function sendStudy(targets: RunningNode[], parts: number[][]): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multi-node-study-'));
  const copies = ctFiles.map((f, i) => {
    const out = path.join(dir, `${i}.dcm`); fs.copyFileSync(f, out); return out;
  });
  const studyUid = newUid();
  const modified = await runTool('dcmodify',
    ['-nb', '-m', `(0020,000D)=${studyUid}`, '-m', `(0020,000E)=${newUid()}`, '-gin', ...copies]);
  if (modified.code !== 0) throw new Error(modified.stderr);
  const sent = await Promise.all(targets.map((n, i) =>
    storescu(n.dimsePort, parts[i]!.map((k) => copies[k]!), { callingAe: orthanc.aeTitle, calledAe: n.aeTitle })));
  for (const s of sent) if (s.code !== 0) throw new Error(`storescu failed: ${s.stderr}`);
  return studyUid;
}

const events = (event: string, field: string, value: unknown) =>
  everyNode.flatMap((n) =>
    n.logs().filter((l) => l.event === event && l[field] === value).map((l) => ({ ...l, from: n })));
const jobsOf = async (studyUid: string) =>
  (await (await nodes[0]!.api(`/api/jobs?studyUid=${studyUid}`)).json()) as any[];

/** Once: one completion, one job that ran once (`runs` node processes started it), SEG + SR in Orthanc, each sent
 *  once. */
async function expectOnce(studyUid: string, runs = 1): Promise<any> {
  await resultsInOrthanc(orthanc, studyUid, 120_000);
  const [job, ...more] = await waitFor(`jobs of ${studyUid} done`, async () => {
    const jobs = await jobsOf(studyUid);
    return jobs.length > 0 && jobs.every((j) => j.state === 'done') ? jobs : undefined;
  }, 60_000);
  expect(more, 'one job for the study').toEqual([]);
  expect(events('study.complete', 'studyUid', studyUid), 'the study completed once, on one node').toHaveLength(1);
  expect(events('job.started', 'jobId', job.id), 'the job started once per node that claimed it').toHaveLength(runs);
  expect(events('job.done', 'jobId', job.id), 'the job finished once').toHaveLength(1);
  const deliveries = await waitFor('deliveries delivered', async () => {
    const d = await deliveriesOf(nodes[0]!, job.id);
    return d.length === 2 && d.every((x) => x.state === 'delivered') ? d : undefined;
  });
  expect(deliveries.map((d) => [d.destinationId, d.attempts])).toEqual([['orthanc', 1], ['orthanc', 1]]);
  expect((await objectsInOrthanc(orthanc, studyUid)).map((o) => o.modality).sort()).toEqual(['SEG', 'SR']);
  return job;
}

describe('three nodes on one PostgreSQL queue', () => {
  beforeAll(async () => {
    url = createTestDatabase();
    shared = fs.mkdtempSync(path.join(os.tmpdir(), 'multi-node-'));
    orthanc = await startOrthanc();
    // All at once on the empty database: they take turns migrating it, and one seeds the rules file.
    nodes.push(...await Promise.all(['node-1', 'node-2', 'node-3'].map((id) => start(id))));
    await addDestination(nodes[0]!, { id: 'orthanc', name: 'Orthanc (PACS)', type: 'dimse', aeTitle: orthanc.aeTitle,
      host: '127.0.0.1', port: orthanc.dicomPort });
  }, 180_000);
  afterAll(async () => {
    // MULTI_NODE_LOGS=<dir>: every node's log lines, to read after a failure
    if (process.env.MULTI_NODE_LOGS) everyNode.forEach((n, i) =>
      fs.writeFileSync(path.join(process.env.MULTI_NODE_LOGS!, `node-${i}.log`),
        n.logs().map((l) => JSON.stringify(l)).join('\n')));
    for (const n of everyNode) await n.stop('SIGKILL');
    await orthanc?.stop();
  });

  it('started together: one schema, the rules file seeded once', async () => {
    const versions = (await (await nodes[2]!.api('/api/rules/versions')).json()) as any[];
    expect(versions.map((v) => [v.version, v.createdBy])).toEqual([[1, 'rules-file']]);
    expect(events('rules.loaded', 'level', 'info')).toHaveLength(1);
  });

  it('reports which node it is in /api/health and /metrics', async () => {
    for (const [i, n] of nodes.entries()) {
      expect(await (await fetch(n.url('/api/health'))).json()).toMatchObject(
        { node: `node-${i + 1}`, databaseBackend: 'postgres', database: true });
      expect(await (await fetch(n.url('/metrics'))).text()).toContain(
        `dain_node_info{node="node-${i + 1}",backend="postgres"} 1`);
    }
  });

  it('studies sent to different nodes, one split across two, each complete, run and arrive once', async () => {
    const [n1, n2, n3] = nodes as [RunningNode, RunningNode, RunningNode];
    const studies = await Promise.all([
      sendStudy([n1], [[0, 1, 2]]), sendStudy([n2], [[0, 1, 2]]), sendStudy([n3], [[0, 1, 2]]),
      sendStudy([n1, n2], [[0, 1], [2]]), // one study, its instances arriving at two nodes
    ]);
    const jobs = [];
    for (const s of studies) jobs.push(await expectOnce(s));
    // the jobs appear in the dashboard's view with the node that ran them
    for (const j of jobs) expect(['node-1', 'node-2', 'node-3']).toContain(j.node);
    const split = (await (await n3.api(`/api/studies/${studies[3]}`)).json()) as any;
    expect(split).toMatchObject({ instances: 3, revision: 1 });
    expect(split.completions).toHaveLength(1);
  }, 300_000);

  it('a node killed mid-job: another finishes the job after its lease runs out, and its results arrive once', async () => {
    // Only the node that will die runs now (the others stop cleanly), so it is the one that claims the job.
    await nodes[0]!.stop();
    await nodes[1]!.stop();
    await nodes[2]!.stop();
    const doomed = await start('node-3', { DICOM_AI_NODE_CRASH_AT: 'job-running' });
    const studyUid = await sendStudy([doomed], [[0, 1, 2]]);
    await waitFor('node-3 to die mid-job', () => doomed.process.signalCode === 'SIGKILL', 90_000);
    expect(events('job.started', 'studyUid', studyUid).map((e) => e.from)).toEqual([doomed]);
    // The survivors come back (same ids, same data dir); the dead node's lease holds the job until it expires.
    nodes[0] = await start('node-1');
    nodes[1] = await start('node-2');
    const done = await expectOnce(studyUid, 2);
    expect(['node-1', 'node-2']).toContain(done.node);
    expect(events('job.lease.expired', 'jobId', done.id)).toHaveLength(1);
  }, 300_000);
});
