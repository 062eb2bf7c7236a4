// The job runner on the running node: a CT sent by DCMTK goes route → load → infer → encode → export,
// its SEG and SR pass dciodvfy, deliveries are queued for the sender, and /metrics counts it all.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, queryNode, startNode, type RunningNode } from '../../support/node-process.js';
import { ctFiles, finishedJob, post, quickCompletion, scrape, sendAsNewStudy } from './helpers.js';

describe('job runner on the running node', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ ...quickCompletion, runner: { pollIntervalMs: 200 } });
    const created = await post(node, '/api/destinations', { id: 'sender', name: 'The sending modality', type: 'dimse',
      aeTitle: 'TESTSCU', host: '127.0.0.1', port: await freePort() });
    expect(created.status).toBe(201);
  });
  afterAll(async () => { await node?.stop(); });

  it('runs the seeded CT rule to done with every stage timed, valid SEG and SR, and deliveries back to the sender',
    async () => {
      const studyUid = await sendAsNewStudy(node, ctFiles);
      const job = await finishedJob(node, studyUid);
      expect(job.state, job.reason).toBe('done');
      expect(job.stages.map((s: any) => s.stage)).toEqual(['route', 'load', 'infer', 'encode', 'export']);
      for (const s of job.stages) expect(s.ms).toBeGreaterThanOrEqual(0);

      const objects = queryNode(node,
        'SELECT kind, sop_instance_uid, path FROM result_objects WHERE job_id = ? ORDER BY kind', job.id);
      expect(objects.map((o) => o.kind)).toEqual(['SEG', 'SR']);
      for (const o of objects) {
        expect(fs.existsSync(o.path)).toBe(true);
        const v = spawnSync('dciodvfy', [o.path], { encoding: 'utf8' });
        expect(v.stderr + v.stdout, o.path).not.toMatch(/^Error/m);
        const dump = spawnSync('dcmdump', ['+P', 'SOPInstanceUID', o.path], { encoding: 'utf8' }).stdout;
        expect(dump).toContain(o.sop_instance_uid);
      }
      const deliveries = queryNode(node,
        'SELECT destination_id, sop_instance_uid FROM deliveries WHERE job_id = ? ORDER BY sop_instance_uid', job.id);
      expect(deliveries.map((d) => d.destination_id)).toEqual(['sender', 'sender']);
      expect(deliveries.map((d) => d.sop_instance_uid).sort()).toEqual(objects.map((o) => o.sop_instance_uid).sort());
      expect(node.logs().find((l) => l.event === 'job.done' && l.jobId === job.id)).toMatchObject({ studyUid });

      const m = await scrape(node);
      expect(m.get('dain_instances_received_total')).toBeGreaterThanOrEqual(3);
      expect(m.get('dain_studies_completed_total')).toBeGreaterThanOrEqual(1);
      expect(m.get('dain_jobs{state="done"}')).toBeGreaterThanOrEqual(1);
      expect(m.get('dain_results{state="accepted"}')! + m.get('dain_results{state="delivered"}')!)
        .toBeGreaterThanOrEqual(1);
      expect(m.get('dain_results{state="awaiting-review"}')).toBe(0);
      for (const stage of ['route', 'load', 'infer', 'encode', 'export'])
        expect(m.get(`dain_stage_duration_seconds_count{stage="${stage}"}`), stage).toBeGreaterThanOrEqual(1);
      expect(m.has('dain_queue_depth{queue="deliveries"}')).toBe(true);
      expect(m.has('dain_event_loop_delay_seconds{quantile="0.99"}')).toBe(true);
      expect(m.has('dain_process_resident_memory_bytes')).toBe(true);
    });

  it('runs a reply-to-sender job with no destination of the sender AE title: done, result awaiting-destination',
    async () => {
      const studyUid = await sendAsNewStudy(node, ctFiles, 'UNKNOWNSCU');
      const job = await finishedJob(node, studyUid);
      expect(job.state).toBe('done');
      const [result] = queryNode(node, 'SELECT state, held_reason FROM results WHERE job_id = ?', job.id);
      expect(result.state).toBe('awaiting-destination');
      expect(result.held_reason).toMatch(
        /^NO_REPLY_DESTINATION: no destination with AE title UNKNOWNSCU; add one with the sender's host and port/);
      expect(queryNode(node, 'SELECT COUNT(*) AS n FROM deliveries WHERE job_id = ?', job.id)[0].n).toBe(0);
      expect(queryNode(node, 'SELECT kind FROM result_objects WHERE job_id = ? ORDER BY kind', job.id)
        .map((o) => o.kind)).toEqual(['SEG', 'SR']);
    });
});
