// SIGKILL mid-inference: after a restart on the same data dir the lease runs out, the job runs again
// and ends done exactly once, with the SOP Instance UIDs a clean run of the same pipeline gives and
// no duplicate deliveries. While the model runs, the event loop stays responsive (from /metrics).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';
import { storescu } from '../../support/dcmtk.js';
import { freePort, queryNode, repoRoot, startNode, waitFor, type RunningNode } from '../../support/node-process.js';
import { jobsOf, post, quickCompletion, scrape } from './helpers.js';

// unet3d-bench (a real 3D U-Net, one 96³ window for this series) takes seconds on a CPU: time to kill it mid-run.
const slowRule = {
  id: 'slow-bench', name: 'Benchmark model on CT', enabled: true, priority: 1,
  when: { all: [{ attribute: 'Modality', op: 'in', value: ['CT'] }] },
  actions: [{ type: 'runModel', model: 'unet3d-bench', series: { where: { all: [{ attribute: 'Modality', op: 'equals',
    value: 'CT' }] }, pick: 'thinnest' }, outputs: ['SEG', 'SR'], destinations: ['reply-to-sender'] }],
  then: 'stop',
};
const config = { ...quickCompletion, runner: { leaseSeconds: 5, pollIntervalMs: 200 } };

describe('a node killed mid-inference', () => {
  const nodes: RunningNode[] = [];
  // stop() waits for an exit that a process already killed by a signal will not report again.
  afterAll(async () => {
    for (const n of nodes) if (n.process.exitCode === null && n.process.signalCode === null) await n.stop(); });

  it('finishes the job exactly once after restart, with deterministic UIDs, and keeps the event loop free',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
      const series = await writeSyntheticCtSeries(path.join(dir, 'series'),
        { slices: 24, rows: 64, columns: 64, pixelSpacing: 1.5, sliceSpacing: 1.5 });
      const first = await startNode(config, { dataDir: dir });
      nodes.push(first);
      expect((await post(first, '/api/destinations', { id: 'sender', name: 'Sender', type: 'dimse', aeTitle: 'TESTSCU',
        host: '127.0.0.1', port: await freePort() })).status).toBe(201);
      expect((await post(first, '/api/rules', slowRule)).status).toBe(201);
      expect((await storescu(first.dimsePort, series.files, { proposal: '-xi' })).code).toBe(0);

      // Kill as soon as the series is loaded: the model is running in its worker.
      const running = await waitFor('job in inference', async () => {
        const [job] = await jobsOf(first, series.studyInstanceUid);
        return job?.state === 'running' && job.stages.some((s: any) => s.stage === 'load') ? job : undefined;
      }, 60_000);
      expect(running.stages.map((s: any) => s.stage)).toEqual(['route', 'load']);
      await first.stop('SIGKILL');
      expect(queryNode(first, 'SELECT COUNT(*) AS n FROM result_objects')[0].n).toBe(0);

      const second = await startNode(config, { dataDir: dir });
      nodes.push(second);
      const p99s: number[] = [];
      const done = await waitFor('job done after restart', async () => {
        const [job] = await jobsOf(second, series.studyInstanceUid);
        if (job?.state === 'running')
          p99s.push((await scrape(second)).get('dain_event_loop_delay_seconds{quantile="0.99"}')!);
        return job && job.state !== 'running' && job.state !== 'pending' ? job : undefined;
      }, 90_000);
      expect(done.state, done.reason).toBe('done');
      expect(done.id).toBe(running.id);
      expect(queryNode(second, 'SELECT attempts FROM jobs WHERE id = ?', done.id)[0].attempts).toBe(2);
      expect(second.logs().filter((l) => l.event === 'job.done' && l.jobId === done.id)).toHaveLength(1);
      expect(first.logs().some((l) => l.event === 'job.done')).toBe(false);

      const objects =
        queryNode(second, 'SELECT kind, sop_instance_uid FROM result_objects WHERE job_id = ? ORDER BY kind', done.id);
      expect(objects.map((o) => o.kind)).toEqual(['SEG', 'SR']);
      // A clean run of the same model on the same files with the job's identity: the CLI, in its own process.
      const out = path.join(dir, 'clean');
      const cli = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli.js'), 'segment', '--model',
        'unet3d-bench', '--input', path.join(dir, 'series'), '--output', out, '--job-id', `job-${done.id}`,
        '--uid-root', '2.25'], { encoding: 'utf8', timeout: 120_000 });
      expect(cli.status, cli.stderr).toBe(0);
      const clean = JSON.parse(cli.stdout);
      expect(objects.map((o) => o.sop_instance_uid)).toEqual([clean.seg, clean.sr]);

      const deliveries =
        queryNode(second, 'SELECT destination_id, sop_instance_uid FROM deliveries WHERE job_id = ?', done.id);
      expect(deliveries).toHaveLength(2);
      expect(new Set(deliveries.map((d) => d.sop_instance_uid))).toEqual(new Set([clean.seg, clean.sr]));

      expect(p99s.length).toBeGreaterThan(0);
      // Inference on the event loop would stall it for seconds; 0.5 s leaves room for a loaded 2-core machine.
      expect(Math.max(...p99s)).toBeLessThan(0.5);
    });
});
