// One node's job runner for bench:scale, with a model that does nothing: claims with a lease (up to 4 at a time, the
// runner's concurrency), "runs" each job for one event-loop turn, finishes it in one transaction. Woken by
// LISTEN/NOTIFY on PostgreSQL, by the parent's kick on SQLite (as the router kicks the runner in-process), and by a
// 200 ms poll on both. Reports claim-to-start latencies (claimed at − created at) when told to stop.
import { openDatabase, transaction } from '../src/db/database.js';
import { appendStage, claimJobs, finishJob, getJob } from '../src/db/jobs.js';
import { listenForWork } from '../src/db/listen.js';

const [dir, url, node] = process.argv.slice(2) as [string, string, string];
const db = openDatabase(dir, url || undefined);
const CONCURRENCY = 4;
let running = 0;
let scheduled = false;
/** [claimed at, claim-to-start ms] per job */
const latencies: Array<[number, number]> = [];
let finished = 0;

function kick(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => { scheduled = false; claim(); });
}

function claim(): void {
  const now = Date.now();
  for (const job of claimJobs(db, CONCURRENCY - running, 30_000, now, `${node}-boot`, node)) {
    latencies.push([now, now - Date.parse(getJob(db, job.id)!.createdAt)]);
    running++;
    setImmediate(() => {
      const at = new Date().toISOString();
      transaction(db, () => {
        if (finishJob(db, job, 'done')) appendStage(db, job, { stage: 'infer', startedAt: at, endedAt: at, ms: 0 });
      });
      finished++;
      running--;
      kick();
    });
  }
}

const quiet = { warn: () => {}, info: () => {} };
const listener = url
  ? listenForWork(url, quiet, { jobs: kick, deliveries: () => {}, completions: () => {} }) : undefined;
const poll = setInterval(kick, 200);
process.on('message', async (m: string) => {
  if (m === 'kick') return kick();
  if (m === 'stop') {
    clearInterval(poll);
    await listener?.close();
    process.send!({ node, finished, latencies }, () => { db.close(); process.exit(0); });
  }
});
process.send!('ready');
