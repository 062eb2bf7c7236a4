// The running node decodes a series planned for a model as its instances arrive and finishes its volume when the
// series completes, while the study waits out its quiet period, and the job takes that volume; a late instance (the
// series completes again, by its quiet period or with the study) gets a fresh preload with every instance. The
// stale-preload check is tested in test/unit/jobs/preload.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';
import { runTool, storescu } from '../../support/dcmtk.js';
import { startNode, waitFor, type RunningNode } from '../../support/node-process.js';
import { finishedJob, newUid } from './helpers.js';

describe('volumes preloaded at series completion', () => {
  let node: RunningNode;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preload-'));
    // The series' quiet period outlasts the assembler's re-plan (500 ms): the first arrival plans no model (the rule
    // asks for 3 instances), and with a 0.5 s quiet period the series could complete before the re-plan ran.
    node = await startNode({
      completion: { seriesQuietSeconds: 1.5, studyQuietSeconds: 4, sweepIntervalMs: 100, assembleOnArrival: true },
      runner: { pollIntervalMs: 200 },
    });
  });
  afterAll(async () => { await node?.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  const series = async (name: string) => writeSyntheticCtSeries(path.join(dir, name), {
    slices: 4, columns: 128, rows: 128, pixelSpacing: 2.8, sliceSpacing: 5, studyInstanceUid: newUid(),
    seriesInstanceUid: newUid(),
  });
  const logsOf = (event: string, seriesUid: string) =>
    node.logs().filter((l) => l.event === event && l.seriesUid === seriesUid);
  const at = (l: Record<string, unknown>) => Date.parse(String(l.timestamp));

  it('starts loading when the series completes, before the study does, and the job uses that volume', async () => {
    const s = await series('whole');
    expect((await storescu(node.dimsePort, s.files, { proposal: '-xe' })).code).toBe(0);
    const job = await finishedJob(node, s.studyInstanceUid, 60_000);
    expect(job.state, job.reason).toBe('done');
    const [started] = logsOf('series.preload.started', s.seriesInstanceUid);
    expect(started).toMatchObject({ modelId: 'ct-body-lung', instances: 4 });
    const studyComplete = node.logs().find((l) => l.event === 'study.complete' && l.studyUid === s.studyInstanceUid)!;
    expect(at(started!)).toBeLessThan(at(studyComplete));
    expect(logsOf('series.preload.used', s.seriesInstanceUid)).toHaveLength(1);
    // decoding began with the arrivals (how many were decoded by completion depends on the machine's load)
    const [assembly] = logsOf('series.assembly.started', s.seriesInstanceUid);
    expect(assembly).toMatchObject({ modelId: 'ct-body-lung' });
    expect(at(assembly!)).toBeLessThanOrEqual(at(started!));
    expect(started!.decodedOnArrival).toBeGreaterThanOrEqual(0);
    expect(logsOf('series.assembly.abandoned', s.seriesInstanceUid)).toHaveLength(0);
  });

  it('a late instance makes the series complete again: the job uses the new preload, with every instance', async () => {
    const s = await series('late');
    expect((await storescu(node.dimsePort, s.files.slice(0, 3), { proposal: '-xe' })).code).toBe(0);
    await waitFor('first preload', () => logsOf('series.preload.started', s.seriesInstanceUid).length === 1);
    expect((await storescu(node.dimsePort, s.files.slice(3), { proposal: '-xe' })).code).toBe(0);
    const job = await finishedJob(node, s.studyInstanceUid, 60_000);
    expect(job.state, job.reason).toBe('done');
    expect(logsOf('series.preload.started', s.seriesInstanceUid).map((l) => l.instances)).toEqual([3, 4]);
    expect(logsOf('series.preload.dropped', s.seriesInstanceUid).map((l) => l.reason))
      .toEqual(['a newer preload replaced it']);
    expect(logsOf('series.preload.used', s.seriesInstanceUid)).toHaveLength(1);
    const jobs = await (await node.api(`/api/jobs?studyUid=${s.studyInstanceUid}`)).json() as any[];
    expect(jobs).toHaveLength(1); // one completion, one job
  });

  it('a study complete by its announced count completes its changed series too: the job uses the fresh preload',
    async () => {
      const s = await series('announced');
      // NumberOfStudyRelatedInstances: the study completes on the 4th arrival, while the series (which announces no
      // count of its own) is receiving again
      const edits = ['-imt', '-i', '(0020,1208)=4', '-e', '(0020,1209)', '-e', '(0020,1002)'];
      expect((await runTool('dcmodify', ['-nb', ...edits, ...s.files])).code).toBe(0);
      expect((await storescu(node.dimsePort, s.files.slice(0, 3), { proposal: '-xe' })).code).toBe(0);
      await waitFor('first preload', () => logsOf('series.preload.started', s.seriesInstanceUid).length === 1);
      expect((await storescu(node.dimsePort, s.files.slice(3), { proposal: '-xe' })).code).toBe(0);
      const job = await finishedJob(node, s.studyInstanceUid, 60_000);
      expect(job.state, job.reason).toBe('done');
      expect(node.logs().find((l) => l.event === 'study.complete' && l.studyUid === s.studyInstanceUid))
        .toMatchObject({ reason: 'expected-count' });
      expect(logsOf('series.preload.started', s.seriesInstanceUid).map((l) => l.instances)).toEqual([3, 4]);
      expect(logsOf('series.preload.dropped', s.seriesInstanceUid).map((l) => l.reason))
        .toEqual(['a newer preload replaced it']);
      expect(logsOf('series.preload.used', s.seriesInstanceUid)).toHaveLength(1);
    });
});
