// Retention: deletes studies older than the configured age whose work is finished: complete,
// every job final and every delivery final. Rows go first (in one transaction, in foreign
// key order), files after, so no row ever points at a missing file.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { deleteCompletionsOfStudy } from '../db/completions.js';
import { transaction, type Db } from '../db/database.js';
import { deleteDeliveriesOfStudy, deliveriesOfStudy, FINAL_DELIVERY_STATES } from '../db/deliveries.js';
import { deleteInstancesOfStudy, instanceFilesOfStudy } from '../db/instances.js';
import { deleteJobsOfStudy, FINAL_JOB_STATES, jobsOfStudy } from '../db/jobs.js';
import { deleteResultObjectsOfStudy, resultFilesOfStudy } from '../db/results.js';
import { completeStudiesReceivedBefore, deleteStudyAndSeries, lockCompleteStudy } from '../db/studies.js';
import type { Logger } from '../log/logger.js';

/** Where the study's files live: data/studies/… for instances, data/results/<jobId>/ for SEG and SR. */
export interface RetentionDirs { studiesDir: string; resultsDir: string }

interface RemovedRows {
  instances: Array<{ path: string; size: number }>; results: Array<{ path: string; size: number }>; jobIds: number[]
}

export async function applyRetention(db: Db, dirs: RetentionDirs, maxAgeDays: number, log: Logger,
  now = Date.now()): Promise<number> {
  const cutoff = now - maxAgeDays * 86_400_000;
  let removed = 0;
  for (const uid of completeStudiesReceivedBefore(db, cutoff)) {
    const rows = transaction(db, () => removeRowsIfFinished(db, uid));
    if (!rows) continue; // work still open: a later run takes it
    await removeFiles(rows, dirs);
    removed++;
    log.info('retention.removed', {
      studyUid: uid, instances: rows.instances.length, results: rows.results.length, jobs: rows.jobIds.length,
      bytes: [...rows.instances, ...rows.results].reduce((s, f) => s + f.size, 0),
    });
  }
  return removed;
}

/**
 * Checked inside the deleting transaction, so a job or delivery that starts meanwhile keeps the study; the study row
 * is locked first, so when several nodes run retention each study is removed (and its files and log line) once.
 */
function removeRowsIfFinished(db: Db, studyUid: string): RemovedRows | undefined {
  if (!lockCompleteStudy(db, studyUid)) return undefined; // another node removed it, or it was reopened
  const jobs = jobsOfStudy(db, studyUid);
  if (!jobs.every((j) => FINAL_JOB_STATES.includes(j.state))) return undefined;
  if (!deliveriesOfStudy(db, studyUid).every((d) => FINAL_DELIVERY_STATES.includes(d.state))) return undefined;
  const rows = { instances: instanceFilesOfStudy(db, studyUid), results: resultFilesOfStudy(db, studyUid),
    jobIds: jobs.map((j) => j.id) };
  // Foreign key order: deliveries and result objects reference jobs, jobs reference completions.
  deleteDeliveriesOfStudy(db, studyUid);
  deleteResultObjectsOfStudy(db, studyUid);
  deleteJobsOfStudy(db, studyUid);
  deleteCompletionsOfStudy(db, studyUid);
  deleteInstancesOfStudy(db, studyUid);
  deleteStudyAndSeries(db, studyUid);
  return rows;
}

async function removeFiles(rows: RemovedRows, dirs: RetentionDirs): Promise<void> {
  const folders = new Set<string>();
  for (const f of [...rows.instances, ...rows.results]) {
    await fsp.rm(f.path, { force: true });
    folders.add(path.dirname(f.path));
  }
  // A job's result folder is the node's own (results/<jobId>/): leftovers of a failed try go with it.
  for (const id of rows.jobIds) await fsp.rm(path.join(dirs.resultsDir, String(id)), { recursive: true, force: true });
  for (const d of folders) await fsp.rmdir(d).catch(() => {});
  const studiesDir = path.resolve(dirs.studiesDir);
  for (const d of new Set([...folders].map((x) => path.dirname(x))))
    if (path.resolve(d).startsWith(studiesDir + path.sep)) await fsp.rmdir(d).catch(() => {});
}
