// Several nodes on one PostgreSQL queue: claims from separate sessions (and processes) never overlap, a claim whose
// lease was taken over writes nothing, and a completion is routed by one router only. Always on PostgreSQL (a
// throwaway cluster), whatever TEST_DATABASE says: this is what several nodes depend on.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markCompletionConsumed } from '../../../src/db/completions.js';
import { openDatabase, transaction, type Db } from '../../../src/db/database.js';
import {
  appendStage, claimJobs, finishJob, getJob, insertJob, recoverExpiredLeases, releaseLeasesOfEarlierBoots, renewLease,
} from '../../../src/db/jobs.js';
import { insertResultObjects } from '../../../src/db/results.js';
import { claimSweep } from '../../../src/db/studies.js';
import { createTestDatabase } from '../../support/postgres.js';
import { repoRoot } from '../../support/node-process.js';

let url: string;
let a: Db;
let b: Db;
const completion = (db: Db) => Number(db.prepare(
  `INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at)
  VALUES ('1.2.3', 1, 'quiet-period', 3, 0)`).run().lastInsertRowid);
const newJobs = (db: Db, n: number, completionId: number) => Array.from({ length: n }, () => insertJob(db, {
  completionId, studyUid: '1.2.3', revision: 1, ruleId: 'r', rulesVersion: 1, action: 'runModel', modelId: 'm',
  seriesUid: '1.2.3.4',
}));

beforeEach(() => {
  url = createTestDatabase();
  a = openDatabase('', url);
  b = openDatabase('', url);
});
afterEach(() => { a.close(); b.close(); });

describe('claims from two sessions', () => {
  it('skip the rows the other session is claiming instead of taking them too or waiting', () => {
    const ids = newJobs(a, 6, completion(a));
    // a's claim is not committed yet (its row locks are held) when b claims.
    const [fromA, fromB] = transaction(a, () => {
      const mine = claimJobs(a, 4, 60_000, Date.now(), 'boot-a', 'node-a');
      return [mine, claimJobs(b, 4, 60_000, Date.now(), 'boot-b', 'node-b')];
    });
    expect(fromA.map((j) => j.id)).toEqual(ids.slice(0, 4));
    expect(fromB.map((j) => j.id)).toEqual(ids.slice(4));
    expect(getJob(b, ids[0]!)).toMatchObject({ state: 'running', node: 'node-a' });
    expect(getJob(a, ids[5]!)).toMatchObject({ state: 'running', node: 'node-b' });
  });

  it('three processes draining 120 jobs finish each exactly once', async () => {
    const ids = newJobs(a, 120, completion(a));
    const run = promisify(execFile);
    const worker = path.join(repoRoot, 'test/support/claim-worker.ts');
    const outs = await Promise.all(['n1', 'n2', 'n3'].map((node) =>
      run(process.execPath, ['--import', 'tsx', worker, url, node], { cwd: repoRoot, timeout: 60_000 })));
    const finished = outs.map((o) => JSON.parse(o.stdout.trim().split('\n').at(-1)!) as number[]);
    const all = finished.flat();
    expect(all.length).toBe(ids.length);
    expect(new Set(all).size).toBe(ids.length);
    expect([...all].sort((x, y) => x - y)).toEqual(ids);
    expect(a.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'done' AND attempts = 1").get()).toEqual({ n: 120 });
  });
});

describe('lease takeover', () => {
  it('the node whose lease was taken over writes nothing: no finish, no stage, no result rows', () => {
    const [id] = newJobs(a, 1, completion(a));
    const [stale] = claimJobs(a, 1, 1000, 0, 'boot-a', 'node-a');
    // node-a stalls; node-b recovers the expired lease and claims the job again
    expect(recoverExpiredLeases(b, 3, 5000)).toEqual({ requeued: [id], failed: [] });
    const [current] = claimJobs(b, 1, 60_000, 5000, 'boot-b', 'node-b');
    expect(current).toMatchObject({ id, attempts: 2 });
    expect(renewLease(a, stale!, 1000)).toBe(false);
    const wrote = transaction(a, () => {
      if (!finishJob(a, stale!, 'done')) return false;
      insertResultObjects(a, id!,
        [{ kind: 'SR', sopClassUid: '1.2', sopInstanceUid: '2.25.1', seriesInstanceUid: '2.25.2',
          transferSyntaxUid: '1.2.840.10008.1.2.1', path: '/x', size: 1 }]);
      return true;
    });
    expect(wrote).toBe(false);
    appendStage(a, stale!, { stage: 'infer', startedAt: 'a', endedAt: 'b', ms: 1 });
    expect(getJob(b, id!)).toMatchObject({ state: 'running', node: 'node-b', stages: [] });
    expect(b.prepare('SELECT COUNT(*) AS n FROM result_objects').get()).toEqual({ n: 0 });
    expect(transaction(b, () => finishJob(b, current!, 'done'))).toBe(true);
    expect(getJob(a, id!)!.state).toBe('done');
  });

  it('a restarting node releases only its own earlier boots, not the other nodes\' live leases', () => {
    newJobs(a, 2, completion(a));
    const [mine] = claimJobs(a, 1, 300_000, 1000, 'boot-1', 'node-a');
    claimJobs(b, 1, 300_000, 1000, 'boot-b', 'node-b');
    expect(releaseLeasesOfEarlierBoots(a, 'boot-2', 2000, 'node-a')).toEqual([mine!.id]);
  });

  it('recovery skips a job whose finishing transaction holds its row, instead of waiting on it', () => {
    const [id] = newJobs(a, 1, completion(a));
    const [job] = claimJobs(a, 1, 1000, 0, 'boot-a', 'node-a');
    const started = Date.now();
    transaction(a, () => {
      expect(finishJob(a, job!, 'done')).toBe(true);
      expect(recoverExpiredLeases(b, 3, 5000)).toEqual({ requeued: [], failed: [] });
    });
    expect(Date.now() - started).toBeLessThan(2000); // under lock_timeout: it did not wait for the lock
    expect(getJob(b, id!)!.state).toBe('done');
  });
});

describe('a lost connection', () => {
  it('fails the statement that met it, then the node connects again (its statements prepared again)', () => {
    const [id] = newJobs(a, 1, completion(a));
    const pid = (a.prepare('SELECT pg_backend_pid() AS pid').get() as { pid: number }).pid;
    b.prepare('SELECT pg_terminate_backend(?)').get(pid); // the server (or an admin) ends a's session
    expect(() => getJob(a, id!)).toThrow();
    expect(getJob(a, id!)).toMatchObject({ id, state: 'pending' });
    expect((a.prepare('SELECT pg_backend_pid() AS pid').get() as { pid: number }).pid).not.toBe(pid);
  });
});

describe('routing and the sweep', () => {
  it('one router consumes a completion; the other, waiting on it, gives up at the lock timeout or finds it consumed', () => {
    const c = completion(a);
    transaction(a, () => {
      expect(markCompletionConsumed(a, c)).toBe(true);
      // b's routing transaction would wait for a's commit: lock_timeout (2 s) bounds how long the event loop blocks
      expect(() => transaction(b, () => markCompletionConsumed(b, c))).toThrow(/lock timeout/);
    });
    expect(markCompletionConsumed(b, c)).toBe(false);
  });

  it('one node sweeps at a time: the other skips the tick while the first sweep is open', () => {
    transaction(a, () => {
      expect(claimSweep(a)).toBe(true);
      expect(transaction(b, () => claimSweep(b))).toBe(false);
    });
    expect(transaction(b, () => claimSweep(b))).toBe(true);
  });
});

describe('rule saves on several nodes', () => {
  it('three processes saving 15 versions each at the same time get 45 distinct, consecutive versions', async () => {
    const run = promisify(execFile);
    const worker = path.join(repoRoot, 'test/support/rules-save-worker.ts');
    const outs = await Promise.all(['n1', 'n2', 'n3'].map((node) =>
      run(process.execPath, ['--import', 'tsx', worker, url, node, '15'], { cwd: repoRoot, timeout: 60_000 })));
    const results = outs.map((o) =>
      JSON.parse(o.stdout.trim().split('\n').at(-1)!) as { saved: number; errors: string[] });
    for (const r of results) expect(r).toEqual({ saved: 15, errors: [] });
    const versions = a.prepare('SELECT version, created_by FROM rule_versions ORDER BY version').all() as
      Array<{ version: number; created_by: string }>;
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(new Set(versions.map((v) => v.created_by))).toEqual(new Set(['n1', 'n2', 'n3']));
  });
});

describe('retention on several nodes', () => {
  it('three processes running retention at once remove each old study once, files included', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-race-'));
    const old = Date.now() - 10 * 86_400_000;
    const uids = Array.from({ length: 30 }, (_, i) => `1.2.826.0.1.3680043.10.1462.7.${i + 1}`);
    for (const uid of uids) {
      a.prepare(
        `INSERT INTO studies (study_uid, state, first_received_at, last_received_at) VALUES (?, 'complete', ?, ?)`)
        .run(uid, old, old);
      const file = path.join(dataDir, 'studies', uid, '1.2.3', '1.dcm');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, 'x');
      a.prepare(
        `INSERT INTO instances (sop_instance_uid, sop_class_uid, study_uid, series_uid, transfer_syntax_uid, size, path,
        source, received_at) VALUES (?, '1.2.840.10008.5.1.4.1.1.2', ?, '1.2.3', '1.2.840.10008.1.2.1', 1, ?, 'dimse', ?)`)
        .run(`${uid}.1`, uid, file, old);
    }
    const run = promisify(execFile);
    const worker = path.join(repoRoot, 'test/support/retention-worker.ts');
    const outs = await Promise.all(['n1', 'n2', 'n3'].map(() =>
      run(process.execPath, ['--import', 'tsx', worker, url, dataDir], { cwd: repoRoot, timeout: 60_000 })));
    const removed = outs.flatMap((o) => JSON.parse(o.stdout.trim().split('\n').at(-1)!) as string[]);
    expect([...removed].sort()).toEqual([...uids].sort());
    expect(a.prepare('SELECT COUNT(*) AS n FROM studies').get()).toEqual({ n: 0 });
    expect(fs.readdirSync(path.join(dataDir, 'studies'))).toEqual([]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
