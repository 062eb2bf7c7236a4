// Retention of studies that went through the whole pipeline: a routed, run and delivered study is
// removed with its jobs, result objects, deliveries and result files; open work keeps a study.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepQuietPeriods } from '../../../src/assemble/completion.js';
import { markCompletionConsumed, unconsumedCompletions } from '../../../src/db/completions.js';
import { transaction, type Db } from '../../../src/db/database.js';
import { openTestDatabase } from '../../support/postgres.js';
import { claimDeliveries, insertDeliveries, listDeliveries, markDelivered } from '../../../src/db/deliveries.js';
import { claimJobs, finishJob, getJob, insertJob } from '../../../src/db/jobs.js';
import { insertResultObjects } from '../../../src/db/results.js';
import { getStudy } from '../../../src/db/studies.js';
import { writeFileDurably } from '../../../src/durable-file.js';
import type { Logger } from '../../../src/log/logger.js';
import { InstanceStore, type StoredInstance } from '../../../src/store/instance-store.js';
import { applyRetention } from '../../../src/store/retention.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';

const DAY = 86_400_000;
const SEG_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {}, close: async () => {} };

let dataDir: string;
let db: Db;
let store: InstanceStore;
const dirs = () => ({ studiesDir: path.join(dataDir, 'studies'), resultsDir: path.join(dataDir, 'results') });

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-work-'));
  db = openTestDatabase(dataDir);
  store = new InstanceStore(db, dataDir, 0, quiet);
});
afterEach(async () => {
  await store.close();
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Stores a small synthetic series (its own study), backdates it and completes it as the sweep would. */
async function completedStudy(name: string, now: number): Promise<StoredInstance[]> {
  const series = await writeSyntheticCtSeries(path.join(dataDir, 'incoming', name),
    { slices: 2, rows: 16, columns: 16 });
  const stored: StoredInstance[] = [];
  for (const f of series.files) {
    const w = store.begin(null);
    w.write(fs.readFileSync(f));
    stored.push(await store.commit(w, { source: 'dimse', callingAe: 'MODALITY', calledAe: 'AINODE' }));
  }
  await store.settled(); // acknowledged instances get their row just behind the acknowledgement
  // Received ten days ago (the store stamps the clock time, so the test moves the rows back).
  db.prepare('UPDATE studies SET last_received_at = ? WHERE study_uid = ?').run(now - 10 * DAY, stored[0].studyUid);
  db.prepare('UPDATE series SET last_received_at = ? WHERE study_uid = ?').run(now - 10 * DAY, stored[0].studyUid);
  transaction(db, () => sweepQuietPeriods(db, { seriesMs: DAY, studyMs: DAY }, now));
  return stored;
}

/** What the router writes for one runModel decision: a job on the completion, the completion consumed. */
function routeToModel(studyUid: string, seriesUid: string): number {
  const c = unconsumedCompletions(db).find((x) => x.studyUid === studyUid)!;
  return transaction(db, () => {
    const id = insertJob(db, { completionId: c.id, studyUid, revision: c.revision, ruleId: 'ct-seg', rulesVersion: 1,
      action: 'runModel', modelId: 'm', seriesUid, destinations: ['pacs'] });
    markCompletionConsumed(db, c.id);
    return id;
  });
}

/** What the runner writes when the job ends: the result file, its row, a delivery, the job done. */
async function runJob(jobId: number): Promise<string> {
  const [job] = claimJobs(db, 10, 60_000).filter((j) => j.id === jobId);
  const file = path.join(dataDir, 'results', String(jobId), 'seg.dcm');
  await writeFileDurably(file, new Uint8Array(256));
  transaction(db, () => {
    expect(finishJob(db, job, 'done')).toBe(true);
    insertResultObjects(db, jobId, [{ kind: 'SEG', sopClassUid: SEG_CLASS, sopInstanceUid: `2.25.${jobId}1`,
      seriesInstanceUid: `2.25.${jobId}2`, transferSyntaxUid: EXPLICIT_LE, path: file, size: 256 }]);
    insertDeliveries(db, [{ jobId, destinationId: 'pacs', path: file,
      sopClassUid: SEG_CLASS, sopInstanceUid: `2.25.${jobId}1`, transferSyntaxUid: EXPLICIT_LE }]);
  });
  return file;
}

const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention of routed studies', () => {
  it('removes a delivered study with its jobs, results and deliveries, and keeps studies with open work', async () => {
    const now = Date.now();
    const delivered = await completedStudy('delivered', now);
    const pending = await completedStudy('pending', now);
    const running = await completedStudy('running', now);

    const deliveredJob = routeToModel(delivered[0].studyUid, delivered[0].seriesUid);
    const deliveredFile = await runJob(deliveredJob);
    for (const d of claimDeliveries(db, 'pacs', 10, now + 60_000)) markDelivered(db, d);
    const pendingJob = routeToModel(pending[0].studyUid, pending[0].seriesUid);
    const pendingFile = await runJob(pendingJob); // its delivery stays pending
    const runningJob = routeToModel(running[0].studyUid, running[0].seriesUid);
    claimJobs(db, 10, 60_000); // the running study's job is now running
    expect(getJob(db, runningJob)?.state).toBe('running');
    expect(listDeliveries(db, { jobId: deliveredJob })[0].state).toBe('delivered');
    expect(listDeliveries(db, { jobId: pendingJob })[0].state).toBe('pending');

    const removed = await applyRetention(db, dirs(), 7, quiet, now);

    expect(removed).toBe(1);
    expect(getStudy(db, delivered[0].studyUid)).toBeUndefined();
    expect(getJob(db, deliveredJob)).toBeUndefined();
    expect(listDeliveries(db, { jobId: deliveredJob })).toEqual([]);
    for (const s of delivered) expect(fs.existsSync(s.path)).toBe(false);
    expect(fs.existsSync(path.dirname(delivered[0].path))).toBe(false);
    expect(fs.existsSync(deliveredFile)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'results', String(deliveredJob)))).toBe(false);

    for (const [study, job, file] of [[pending, pendingJob, pendingFile], [running, runningJob, undefined]] as const) {
      expect(getStudy(db, study[0].studyUid)?.instances).toBe(2);
      expect(getJob(db, job)).toBeDefined();
      for (const s of study) expect(fs.existsSync(s.path)).toBe(true);
      if (file) expect(fs.existsSync(file)).toBe(true);
    }
    expect({ studies: count('studies'), series: count('series'),
      completions: count('study_completions'), jobs: count('jobs'),
      results: count('result_objects'), deliveries: count('deliveries'), instances: count('instances') })
      .toEqual({ studies: 2, series: 2, completions: 2, jobs: 2, results: 1, deliveries: 1, instances: 4 });
  });

  it('removes the study once the open work has ended', async () => {
    const now = Date.now();
    const study = await completedStudy('later', now);
    const job = routeToModel(study[0].studyUid, study[0].seriesUid);
    const file = await runJob(job);
    expect(await applyRetention(db, dirs(), 7, quiet, now)).toBe(0);
    const [d] = claimDeliveries(db, 'pacs', 10, now + 60_000);
    markDelivered(db, d);
    expect(await applyRetention(db, dirs(), 7, quiet, now)).toBe(1);
    expect(fs.existsSync(file)).toBe(false);
    expect(count('jobs') + count('deliveries') + count('result_objects') + count('instances')).toBe(0);
  });
});
