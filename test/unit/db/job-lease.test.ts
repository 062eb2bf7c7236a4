// Job leases on a real SQLite database: claim, heartbeat, recovery after a crash, ownership of a claim.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/database.js';
import { openTestDatabase } from '../../support/postgres.js';
import { putDestination } from '../../../src/db/destinations.js';
import { getJob, insertJob } from '../../../src/db/jobs.js';
import { resolveDestinations } from '../../../src/export/job-destinations.js';
import { appendStage, claimJobs, finishJob, recoverExpiredLeases, releaseLease, releaseLeasesOfEarlierBoots,
  renewLease } from '../../../src/db/jobs.js';

let db: Db;
const newJob = (action: 'runModel' | 'forward' | 'discard' = 'runModel') =>
  insertJob(db, { completionId: 1, studyUid: '1.2.3', revision: 1, ruleId: 'r', rulesVersion: 1, action, modelId: 'm',
    seriesUid: '1.2.3.4', destinations: ['reply-to-sender'], state: action === 'discard' ? 'done' : 'pending' });

beforeEach(() => {
  db = openTestDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'lease-')));
  db.prepare(`INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at) VALUES ('1.2.3', 1, 'quiet-period', 3, 0)`).run();
});

describe('job leases', () => {
  it('claims at most `limit` pending runModel/forward jobs, oldest first, and counts the attempt', () => {
    const ids = [newJob(), newJob('discard'), newJob('forward'), newJob()];
    const claimed = claimJobs(db, 2, 5000, 1000);
    expect(claimed.map((j) => j.id)).toEqual([ids[0], ids[2]]);
    expect(claimed.map((j) => j.attempts)).toEqual([1, 1]);
    expect(db.prepare('SELECT state, lease_until FROM jobs WHERE id = ?').get(ids[0])).toEqual(
      { state: 'running', lease_until: 6000 });
    expect(claimJobs(db, 5, 5000, 1000).map((j) => j.id)).toEqual([ids[3]]);
    expect(claimJobs(db, 5, 5000, 1000)).toEqual([]);
  });

  it('gives an expired lease back as pending, then fails it with JOB_LEASE_EXPIRED after maxAttempts', () => {
    const id = newJob();
    claimJobs(db, 1, 5000, 0);
    expect(recoverExpiredLeases(db, 2, 4999)).toEqual({ requeued: [], failed: [] }); // lease still valid
    expect(recoverExpiredLeases(db, 2, 5001)).toEqual({ requeued: [id], failed: [] });
    expect(getJob(db, id)!.state).toBe('pending');
    claimJobs(db, 1, 5000, 10_000);
    expect(recoverExpiredLeases(db, 2, 20_000)).toEqual({ requeued: [], failed: [id] });
    expect(getJob(db, id)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/^JOB_LEASE_EXPIRED: /) });
  });

  it('lets only the current claim renew, record stages and finish (a reclaimed job is not ours)', () => {
    const id = newJob();
    const [stale] = claimJobs(db, 1, 5000, 0);
    expect(renewLease(db, stale, 5000, 4000)).toBe(true);
    expect(recoverExpiredLeases(db, 3, 8000).requeued).toEqual([]); // the heartbeat moved the lease to 9000
    recoverExpiredLeases(db, 3, 9001);
    const [current] = claimJobs(db, 1, 5000, 9001);
    expect(current.attempts).toBe(2);
    expect(renewLease(db, stale, 5000, 9002)).toBe(false);
    expect(finishJob(db, stale, 'done')).toBe(false);
    appendStage(db, current, { stage: 'load', startedAt: 'a', endedAt: 'b', ms: 1 });
    appendStage(db, current,
      { stage: 'load', startedAt: 'c', endedAt: 'd', ms: 2 }); // a rerun replaces its earlier try
    expect(getJob(db, id)!.stages).toEqual([{ stage: 'load', startedAt: 'c', endedAt: 'd', ms: 2 }]);
    expect(finishJob(db, current, 'done')).toBe(true);
    expect(getJob(db, id)!.state).toBe('done');
  });
});

describe('graceful stop', () => {
  it('ends the lease of an abandoned job so the next start requeues it without waiting', () => {
    const id = newJob();
    const [job] = claimJobs(db, 1, 120_000, 0);
    releaseLease(db, job, 10);
    expect(recoverExpiredLeases(db, 3, 11)).toEqual({ requeued: [id], failed: [] });
  });
});

describe('leases across boots', () => {
  it('on start, ends at once the leases an earlier boot held, and only those; recovery then requeues them', () => {
    const [a, b] = [newJob(), newJob()];
    claimJobs(db, 1, 300_000, 1000, 'boot-1');
    claimJobs(db, 1, 300_000, 1000, 'boot-2');
    expect(releaseLeasesOfEarlierBoots(db, 'boot-2', 2000)).toEqual([a]);
    expect(releaseLeasesOfEarlierBoots(db, 'boot-2', 2000)).toEqual([]); // already over: nothing to log twice
    expect(recoverExpiredLeases(db, 3, 2000)).toEqual({ requeued: [a], failed: [] });
    expect(getJob(db, b)?.state).toBe('running');
    const [again] = claimJobs(db, 1, 300_000, 2500, 'boot-2');
    expect(again).toMatchObject({ id: a, attempts: 2 });
  });
});

describe('reply-to-sender', () => {
  const instance = (ae: string | null) => db.prepare(`INSERT INTO instances (sop_instance_uid, sop_class_uid, study_uid, series_uid, transfer_syntax_uid, size, path, calling_ae, source, received_at)
    VALUES (?, '1.2.840.10008.5.1.4.1.1.2', '1.2.3', '1.2.3.4', '1.2.840.10008.1.2.1', 1, '/x', ?, ?, 0)`).run(
    `1.2.3.4.${Math.random().toString().slice(2, 10)}`, ae, ae ? 'dimse' : 'stow');

  it('resolves to the dimse destination whose AE title is the calling AE, and names what to add when none is', () => {
    instance('CT1');
    expect(() => resolveDestinations(db, '1.2.3', ['reply-to-sender'])).toThrow(
      /^NO_REPLY_DESTINATION: no destination with AE title CT1; add one/);
    putDestination(db, { id: 'ct1', name: 'CT 1', type: 'dimse', aeTitle: 'CT1', host: 'h', port: 104 });
    putDestination(db, { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: 'PACS', host: 'h', port: 104 });
    expect(resolveDestinations(db, '1.2.3', ['reply-to-sender', 'pacs', 'ct1'])).toEqual(['ct1', 'pacs']);
    expect(() => resolveDestinations(db, '1.2.3', ['nowhere'])).toThrow(/^DESTINATION_NOT_FOUND/);
  });

  it('refuses reply-to-sender for a study that arrived over STOW-RS (no calling AE)', () => {
    instance(null);
    expect(() => resolveDestinations(db, '1.2.3', ['reply-to-sender'])).toThrow(
      /^NO_REPLY_DESTINATION: the study did not arrive over DIMSE/);
  });
});
