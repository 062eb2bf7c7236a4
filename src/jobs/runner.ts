// The job runner: claims pending jobs with a lease and moves them through load → infer → encode →
// export (hand-off to the outbox). Every hand-off is a table row, so a crash at any point leaves a
// job whose lease runs out and is claimed again; results are idempotent (deterministic UIDs).
import crypto from 'node:crypto';
import type { NodeConfig } from '../config/schema.js';
import { openDiskReserve } from '../db/disk-reserve.js';
import { type Db } from '../db/database.js';
import { isPostgres } from '../db/postgres.js';
import { nodeIdOf } from '../config/load.js';
import type { Outbox } from '../export/outbox.js';
import type { ModelRegistry } from '../infer/index.js';
import type { Logger } from '../log/logger.js';
import { observeStage } from '../metrics/index.js';
import { failureReason } from './errors.js';
import { forwardJob } from './forward-job.js';
import {
  appendStage, claimJobs, finishJob, jobStages, recoverExpiredLeases, releaseLease, releaseLeasesOfEarlierBoots,
  renewLease, type ClaimedJob,
} from '../db/jobs.js';
import { runModelJob, type JobContext } from './run-model-job.js';
import { measureJob } from './measure-job.js';
import type { SeriesPreloader } from './preload.js';
import { externalJob } from './external-job.js';
import { reidentifyJob } from './reidentify-job.js';
import { expireExternalRequests } from '../db/external-requests.js';
import { transitionJob } from '../db/jobs.js';

export interface JobRunner {
  /** Look for pending jobs now (after routing created some). */
  kick(): void;
  stop(): Promise<void>;
}

export interface RunnerDeps {
  db: Db; config: NodeConfig; log: Logger; models: ModelRegistry; outbox: Outbox; dataDir: string;
  preloads?: SeriesPreloader
}

export function startJobRunner(deps: RunnerDeps): JobRunner {
  const { db, config, log } = deps;
  const cfg = config.runner;
  const leaseMs = cfg.leaseSeconds * 1000;
  const working = new Map<number, { job: ClaimedJob; run: Promise<void> }>();
  let stopping = false;
  let scheduled = false;
  // This process's identity on the leases it takes: a later boot knows these holders are gone.
  const bootId = crypto.randomUUID();
  const node = nodeIdOf(config);
  // On a shared queue only this node's own earlier boots are gone; other owners are other nodes, alive or not.
  for (const id of releaseLeasesOfEarlierBoots(db, bootId, Date.now(), isPostgres(db) ? node : undefined)) {
    log.warn('job.lease.released', { jobId: id, reason: 'held by an earlier boot of this node' });
  }
  const mb = 1048576;
  const reserve = openDiskReserve(deps.dataDir, config.storage.stateReserveMb * mb, config.storage.minFreeMb * mb,
    (reason) => log.warn('disk.reserve.released', { reason, mb: config.storage.stateReserveMb }));

  const kick = () => {
    if (stopping || scheduled) return;
    scheduled = true;
    setImmediate(() => { scheduled = false; poll(); });
  };
  const timer = setInterval(kick, cfg.pollIntervalMs);

  function poll(): void {
    if (stopping) return;
    try {
      const recovered = recoverExpiredLeases(db, cfg.maxAttempts);
      for (const id of recovered.requeued) log.warn('job.lease.expired', { jobId: id, requeued: true });
      for (const id of recovered.failed) log.error('job.failed', { jobId: id, reason: 'JOB_LEASE_EXPIRED' });
      if (reserve.restore()) log.info('disk.reserve.restored', { mb: config.storage.stateReserveMb });
      for (const jobId of expireExternalRequests(db)) {
        // the send finished the job; an answer that never came fails it, with the code an admin looks up
        transitionJob(db, jobId, ['done'], 'failed',
          'EXTERNAL_TIMEOUT: the external service sent no result before the deadline');
        log.error('job.failed', { jobId, reason: 'EXTERNAL_TIMEOUT' });
      }
      for (const job of claimJobs(db, cfg.concurrency - working.size, leaseMs, Date.now(), bootId, node)) {
        const run = runClaimed(job).finally(() => { working.delete(job.id); kick(); });
        working.set(job.id, { job, run });
      }
    } catch (err) {
      // the database is busy or gone: next poll tries again
      log.error('job.poll.failed', { reason: (err as Error).message });
    }
  }

  async function runClaimed(job: ClaimedJob): Promise<void> {
    const started = Date.now();
    log.info('job.started',
      { jobId: job.id, node, studyUid: job.studyUid, action: job.action, modelId: job.modelId, attempt: job.attempts });
    observeRouteStage(db, job);
    const heartbeat = setInterval(() => {
      try { renewLease(db, job, leaseMs); } catch { /* a missed beat only shortens the lease */ }
    }, Math.max(250, leaseMs / 3));
    try {
      const ctx: JobContext = {
        db, models: deps.models, dataDir: deps.dataDir, uidRoot: config.node.uidRoot,
        omitEmptyFrames: cfg.omitEmptyFrames, preloads: deps.preloads, deid: config.deid,
        recordStage: (s) => {
          try { appendStage(db, job, s); } catch { /* a lost timing (full disk) must not become the job's failure */ }
          observeStage(s.stage, s.ms);
        },
      };
      const finished = job.action === 'forward' ? forwardJob(db, job)
        : job.action === 'measure' ? await measureJob(ctx, job)
          : job.action === 'external' ? await externalJob(ctx, job)
            : job.action === 'reidentify' ? await reidentifyJob(ctx, job) : await runModelJob(ctx, job);
      if (finished) {
        log.info('job.done', { jobId: job.id, studyUid: job.studyUid, ms: Date.now() - started });
        deps.outbox.kick();
      } else {
        log.warn('job.abandoned',
          { jobId: job.id, studyUid: job.studyUid, reason: 'cancelled or reclaimed while running' });
      }
    } catch (err) {
      // Stopping: the model pools are shut down under us; the job keeps its lease and runs again after restart.
      if (stopping) return;
      const reason = failureReason(err);
      // A full disk is the likeliest reason to fail here: the reserve makes room to record it.
      try { reserve.write(() => finishJob(db, job, 'failed', reason)); } catch { /* lease expiry retries it */ }
      log.error('job.failed', { jobId: job.id, studyUid: job.studyUid, ms: Date.now() - started, reason });
    } finally {
      clearInterval(heartbeat);
    }
  }

  kick();
  return {
    kick,
    async stop() {
      stopping = true;
      clearInterval(timer);
      await Promise.race([Promise.allSettled([...working.values()].map((w) => w.run)), new Promise(
        (r) => setTimeout(r, 5_000).unref())]);
      // Jobs still running are abandoned (their models stop with the node): the next start claims them again.
      for (const { job } of working.values()) {
        try { releaseLease(db, job); } catch { /* the lease runs out on its own */ }
      }
    },
  };
}

/** The routing stage wrote its timing before the runner existed for this job: feed it to the histogram once. */
function observeRouteStage(db: Db, job: ClaimedJob): void {
  if (job.attempts !== 1) return;
  const route = jobStages(db, job.id)?.find((s) => s.stage === 'route');
  if (route?.ms !== undefined) observeStage('route', route.ms);
}
