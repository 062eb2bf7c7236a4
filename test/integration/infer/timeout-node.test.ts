// The running node (a real child process) survives a model run that outlives its timeoutMs: the job fails with
// MODEL_TIMEOUT, the worker is ended only after onnxruntime's native run has returned, and the node keeps serving.
// Before the fix the pool terminated the worker mid-run and the node aborted ('terminate called … Napi::Error').
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode, waitFor, type RunningNode } from '../../support/node-process.js';
import { slowModel, temporaryModelsDir, testManifest, writeModelFolder } from '../../unit/infer/helpers.js';
import { ctFiles, finishedJob, quickCompletion, sendAsNewStudy } from '../pipeline/helpers.js';

describe('a model run that times out in the running node', () => {
  let node: RunningNode;
  let modelsDir: string;
  let stderr = '';
  const retiredCount = () => node.logs().filter((l) => l.event === 'model.worker.retired').length;

  beforeAll(async () => {
    modelsDir = temporaryModelsDir();
    // Named like the built-in model so the default rules route the CT to it; 3 × 512² through 14 convolutions
    // takes seconds, far beyond 300 ms.
    writeModelFolder(modelsDir, testManifest('ct-body-lung', { timeoutMs: 300, intraOpNumThreads: 1 }), slowModel());
    node = await startNode({ ...quickCompletion, runner: { pollIntervalMs: 200 }, models: { dir: modelsDir } });
    node.process.stderr!.on('data', (d: string) => (stderr += d));
  });
  afterAll(async () => {
    await node?.stop();
    fs.rmSync(modelsDir, { recursive: true, force: true });
  });

  it('fails the job with MODEL_TIMEOUT and keeps running after the timed-out worker is ended', { timeout: 180_000 },
    async () => {
      for (let round = 1; round <= 2; round++) {
        const job = await finishedJob(node, await sendAsNewStudy(node, ctFiles), 60_000);
        expect(job.state).toBe('failed');
        expect(job.reason).toMatch(/^MODEL_TIMEOUT: model ct-body-lung ran longer than 300 ms/);
        // The dangerous moment is the worker's end: wait until it has been ended (or the node has died).
        const exited = () => node.process.exitCode !== null || node.process.signalCode !== null;
        await waitFor('timed-out worker retired', () => exited() || retiredCount() >= round, 60_000);
        const aborted = /terminate called|Napi::Error/.test(stderr);
        expect({ exitCode: node.process.exitCode, signal: node.process.signalCode, aborted }, stderr)
          .toEqual({ exitCode: null, signal: null, aborted: false });
      }
      await new Promise((r) => setTimeout(r, 500));
      expect(node.process.exitCode).toBe(null);
      expect(node.process.signalCode).toBe(null);
      expect(stderr).not.toMatch(/terminate called|Napi::Error/);
      expect((await node.api('/api/health')).status).toBe(200);
      const retired = node.logs().filter((l) => l.event === 'model.worker.retired');
      expect(retired.every((l) => typeof l.overranMs === 'number' && l.overranMs > 0)).toBe(true);
      expect(node.logs().filter((l) => l.event === 'model.run.timeout')).toHaveLength(2);
    });
});
