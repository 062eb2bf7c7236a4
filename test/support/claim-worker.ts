// One claimer for the shared-queue test: its own process and PostgreSQL session, claiming and finishing jobs until
// none is left, as a node's runner does; prints the job ids it finished (JSON) on its last line.
import { claimJobs, finishJob } from '../../src/db/jobs.js';
import { openDatabase, transaction } from '../../src/db/database.js';

const [url, node] = process.argv.slice(2) as [string, string];
const db = openDatabase('', url);
const finished: number[] = [];
let idle = 0;
// Several empty claims in a row: the others hold what is left, or nothing is.
while (idle < 20) {
  const jobs = claimJobs(db, 2, 60_000, Date.now(), `${node}-boot`, node);
  idle = jobs.length ? 0 : idle + 1;
  for (const job of jobs) {
    if (transaction(db, () => finishJob(db, job, 'done'))) finished.push(job.id);
  }
}
db.close();
process.stdout.write(`${JSON.stringify(finished)}\n`);
