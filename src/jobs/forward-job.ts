// A forward job: every stored instance of the study is queued for each destination; the enqueue and
// the job's `done` commit together, so a crash leaves either both or neither.
import { transaction, type Db } from '../db/database.js';
import { forwardableInstancesOfStudy } from '../db/instances.js';
import { enqueueDeliveries } from '../export/outbox.js';
import { observeStage } from '../metrics/index.js';
import { JobError } from './errors.js';
import { resolveDestinations } from '../export/job-destinations.js';
import { appendStage, finishJob, type ClaimedJob } from '../db/jobs.js';
import { stageRecord } from './run-model-job.js';

/** Returns false when the job was taken from us (cancelled or reclaimed); throws a coded error on failure. */
export function forwardJob(db: Db, job: ClaimedJob): boolean {
  const started = Date.now();
  const destinations = resolveDestinations(db, job.studyUid, job.destinations);
  const instances = forwardableInstancesOfStudy(db, job.studyUid);
  if (instances.length === 0) throw new JobError('JOB_NO_INSTANCES',
    `study ${job.studyUid} has no stored instances (removed by retention?)`);
  const done = transaction(db, () => {
    if (!finishJob(db, job, 'done')) return false; // cancelled or reclaimed: write nothing
    enqueueDeliveries(db,
      instances.flatMap((i) => destinations.map((destinationId) => ({ jobId: job.id, destinationId, ...i }))));
    const ended = Date.now();
    appendStage(db, job, stageRecord('export', started, ended, ended - started));
    return true;
  });
  if (done) observeStage('export', Date.now() - started);
  return done;
}
