// Queue benchmark (npm run bench:scale): jobs/s and claim-to-start latency for 1, 2 and 3 nodes on one PostgreSQL
// against one node on SQLite, with a model that does nothing (bench/scale-worker.ts), to isolate the queue.
// Throughput: 1,000 pending jobs committed at once, drained. Latency: 200 jobs committed one every 10 ms to idle
// nodes; the time from a job's commit to its claim. Each node is a process; PostgreSQL is a throwaway cluster on a
// Unix socket with its durable defaults (fsync on; PG_FSYNC=off measures without).
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, transaction, type Db } from '../src/db/database.js';
import { countJobsByState, insertJob } from '../src/db/jobs.js';
import { insertCompletion } from '../src/db/completions.js';
import { createTestDatabase } from '../test/support/postgres.js';

const DRAIN = Number(process.env.BENCH_JOBS ?? 1000);
const TRICKLE = Number(process.env.BENCH_TRICKLE ?? 200);
const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'scale-worker.js');

interface Report { node: string; finished: number; latencies: Array<[number, number]> }

async function startNodes(dir: string, url: string, n: number): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => new Promise<ChildProcess>((resolve, reject) => {
    const child = fork(worker, [dir, url, `node-${i + 1}`], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', () => resolve(child));
    child.once('error', reject);
  })));
}

const addJobs = (db: Db, n: number) => transaction(db, () => {
  for (let i = 0; i < n; i++) insertJob(db,
    { completionId: 1, studyUid: '1.2.3', revision: 1, ruleId: 'bench', rulesVersion: 1, action: 'forward' });
});
const done = (db: Db) => countJobsByState(db).get('done') ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

async function measure(label: string, url: string, nodes: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  const db = openDatabase(dir, url || undefined);
  insertCompletion(db, '1.2.3', 1, 'quiet-period', 1, Date.now());
  const children = await startNodes(dir, url, nodes);
  const kick = () => { if (!url) for (const c of children) c.send('kick'); };
  // throughput
  const t0 = performance.now();
  addJobs(db, DRAIN);
  kick();
  while (done(db) < DRAIN) await sleep(20);
  const jobsPerSecond = DRAIN / ((performance.now() - t0) / 1000);
  // latency, on nodes that are idle again: only claims made from here on count
  const trickleStart = Date.now();
  for (let i = 0; i < TRICKLE; i++) {
    addJobs(db, 1);
    kick();
    await sleep(10);
  }
  while (done(db) < DRAIN + TRICKLE) await sleep(20);
  const reports = await Promise.all(children.map(
    (c) => new Promise<Report>((resolve) => { c.once('message', (m) => resolve(m as Report)); c.send('stop'); })));
  const trickle = reports.flatMap((r) => r.latencies.filter(([at]) => at >= trickleStart).map(([, ms]) => ms));
  const share = reports.map((r) => r.finished).join('/');
  console.log(
    `| ${label} | ${nodes} | ${jobsPerSecond.toFixed(0)} | ${pct(trickle, 50)} | ${pct(trickle, 95)} | ${share} |`);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

process.env.PG_FSYNC ??= 'on';
console.log(
  `bench:scale — ${DRAIN} jobs drained, then ${TRICKLE} trickled (1 per 10 ms); ${os.availableParallelism()} cores`);
console.log('| backend | nodes | jobs/s | claim-to-start p50 ms | p95 ms | jobs per node |');
console.log('|---|---|---|---|---|---|');
await measure('SQLite', '', 1);
for (const n of [1, 2, 3]) await measure('PostgreSQL', createTestDatabase(), n);
process.exit(0);
