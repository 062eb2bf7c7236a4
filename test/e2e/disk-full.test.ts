// Issue 15 fault 7, end to end on the built node: the disk fills during a job (a real small tmpfs
// as the data dir), and the node is killed with SIGKILL mid-job and restarted on the same data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticCtSeries } from '../../src/synthetic/index.js';
import { startReferenceScp } from '../support/dcmtk.js';
import { startNode, waitFor, type RunningNode } from '../support/node-process.js';
import { testBackend } from '../support/postgres.js';
import { canMount, fillDisk, mountSmallDisk } from '../support/tmpfs.js';
import { addDestination, e2eConfig, jobOf, sendNewStudy } from './loop-support.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${name}-`));
const FINAL = ['done', 'failed', 'cancelled'];

/** A node on `<dir>/data`; started again on the same `dir` it is the same node (and, on PostgreSQL, the same
 *  database). */
async function nodeForTest(dir: string, runner: Record<string, unknown>): Promise<RunningNode> {
  const n = await startNode({ ...e2eConfig, runner: { ...e2eConfig.runner, ...runner } }, { dataDir: dir });
  cleanups.push(() => (n.process.exitCode === null && n.process.signalCode === null ? n.stop('SIGKILL') : undefined));
  return n;
}

/** A rule running unet3d-bench (a real 3D U-Net, seconds on a CPU: time to act inside the job) on CT. */
async function slowModelSendingTo(node: RunningNode, port: number): Promise<void> {
  await addDestination(node,
    { id: 'pacs', name: 'storescp', type: 'dimse', aeTitle: 'REFSCP', host: '127.0.0.1', port });
  const rule = { id: 'slow-bench', name: 'Benchmark model on CT', enabled: true, priority: 1,
    when: { all: [{ attribute: 'Modality', op: 'in', value: ['CT'] }] },
    actions: [{ type: 'runModel', model: 'unet3d-bench',
      series: { where: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }] }, pick: 'thinnest' },
      outputs: ['SEG', 'SR'], destinations: ['pacs'] }], then: 'stop' };
  expect((await node.api('/api/rules',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) })).status).toBe(201);
}

const inInference = (node: RunningNode, studyUid: string) => waitFor('job in inference', async () => {
  const job = await jobOf(node, studyUid);
  return job.state === 'running' && job.stages.some((s: any) => s.stage === 'load')
    && !job.stages.some((s: any) => s.stage === 'infer') ? job : undefined;
}, 60_000);

const tempFiles = (dir: string) =>
  (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'));

describe('disk full and restarts during a job', () => {
  it.skipIf(!canMount)('a disk that fills mid-job: the job fails with JOB_RESULT_WRITE, no temp file is left, orphans are swept on start', async () => {
    const disk = mountSmallDisk(48)!;
    cleanups.push(() => disk.unmount());
    const scp = await startReferenceScp();
    cleanups.push(() => scp.stop());
    const dataDir = path.join(disk.dir, 'data');
    const series = await writeSyntheticCtSeries(path.join(tmp('full-series'), 'series'),
      { slices: 24, rows: 64, columns: 64, pixelSpacing: 1.5, sliceSpacing: 1.5 });
    // A long lease: a job left `running` stays so for the whole test.
    const node = await nodeForTest(disk.dir, { leaseSeconds: 120 });
    await slowModelSendingTo(node, scp.port);
    const study = await sendNewStudy(node, 'MODALITY', series.files);
    await inInference(node, study.studyUid);
    const filler = path.join(disk.dir, 'filler');
    fillDisk(filler); // not a byte left for the result files, nor for SQLite to grow its WAL
    const job = await waitFor('job final',
      async () => { const j = await jobOf(node, study.studyUid); return FINAL.includes(j.state) ? j : undefined; },
      60_000);
    expect(job.state).toBe('failed');
    expect(job.reason).toMatch(/^JOB_RESULT_WRITE: cannot write .*seg\.dcm: ENOSPC/);
    expect(node.logs().filter((l) => l.event === 'job.failed').map((l) => l.reason)).toEqual([job.reason]);
    expect(tempFiles(path.join(dataDir, 'results'))).toEqual([]);
    fs.rmSync(filler);
    if (node.logs().some((l) => l.event === 'disk.reserve.released')) {
      await waitFor('reserve restored', () =>
        node.logs().some((l) => l.event === 'disk.reserve.restored') || undefined);
    }
    // Temp files as a process killed mid-write leaves them: gone after the next start. On a shared queue another node
    // may be writing a recent one, so only those older than an hour go there.
    const orphan = path.join(dataDir, 'results', String(job.id), '.seg.dcm.4194000.tmp');
    const oldOrphan = path.join(dataDir, 'results', String(job.id), '.sr.dcm.4194000.tmp');
    fs.writeFileSync(orphan, Buffer.alloc(4096));
    fs.writeFileSync(oldOrphan, Buffer.alloc(4096));
    const twoHoursAgo = new Date(Date.now() - 7_200_000);
    fs.utimesSync(oldOrphan, twoHoursAgo, twoHoursAgo);
    await node.stop();
    const again = await nodeForTest(disk.dir, { leaseSeconds: 120 });
    const removed = testBackend === 'postgres' ? [oldOrphan] : [oldOrphan, orphan];
    expect(fs.existsSync(oldOrphan)).toBe(false);
    expect(fs.existsSync(orphan)).toBe(testBackend === 'postgres');
    expect(again.logs().filter((l) => l.event === 'job.temp.removed').map((l) => l.file).sort()).toEqual(
      removed.sort());
    expect((await jobOf(again, study.studyUid)).state).toBe('failed');
  }, 180_000);

  it('SIGKILL mid-job, restart: the job runs again at once, not after its 300 s lease', async () => {
    const scp = await startReferenceScp();
    cleanups.push(() => scp.stop());
    const dir = tmp('kill-lease');
    const series = await writeSyntheticCtSeries(path.join(dir, 'series'),
      { slices: 24, rows: 64, columns: 64, pixelSpacing: 1.5, sliceSpacing: 1.5 });
    const first = await nodeForTest(dir, { leaseSeconds: 300 });
    await slowModelSendingTo(first, scp.port);
    const study = await sendNewStudy(first, 'MODALITY', series.files);
    const job = await inInference(first, study.studyUid);
    await first.stop('SIGKILL');
    const second = await nodeForTest(dir, { leaseSeconds: 300 });
    expect(second.logs().filter((l) => l.event === 'job.lease.released').map((l) => l.jobId)).toEqual([job.id]);
    await waitFor('job done after restart', async () =>
      (await jobOf(second, study.studyUid)).state === 'done' || undefined, 90_000);
    expect(second.logs().filter((l) => l.event === 'job.started').map((l) => [l.jobId, l.attempt])).toEqual(
      [[job.id, 2]]);
  }, 180_000);
});
