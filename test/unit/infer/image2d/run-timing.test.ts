// runImages against a stand-in for an in-process session that behaves as onnxruntime-node 1.30 does (its run is
// synchronous, at the asking thread's next setImmediate): the model time reported is the runs' own and not also
// the next batch's preparation, which happens on the same thread, and every image comes back in its place.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runImages } from '../../../../src/infer/image2d/run.js';
import { validateManifest } from '../../../../src/infer/manifest-schema.js';
import type { TensorInference } from '../../../../src/infer/patch-engine.js';
import { writeSyntheticRadiograph } from '../../../../src/synthetic/index.js';
import { repoRoot } from '../helpers.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'run-timing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RUN_MS = 40;
const sessionLike: TensorInference = (data, dims) => new Promise((resolve) => setImmediate(() => {
  const end = performance.now() + RUN_MS;
  while (performance.now() < end); // holds the thread, as a native run does
  resolve({ data: new Float32Array(dims[0]! * 2).fill(data[0]!), dims: [dims[0]!, 2] });
}));

it('reports the runs\' own time: preparing the next batch, on the same thread, is not counted as model time',
  async () => {
    const json = JSON.parse(readFileSync(path.join(repoRoot, 'models/cxr-view/model.json'), 'utf8'));
    const { manifest } = validateManifest({ ...json, inference: { ...json.inference, batch: 4 } });
    const frames = [];
    for (let n = 0; n < 12; n++) {
      frames.push({ file: (await writeSyntheticRadiograph(path.join(tmp, `r${n}.dcm`),
        { rows: 1500, columns: 1200, seed: n, view: n % 2 ? 'lateral' : 'frontal' })).file });
    }
    const { images, timings } = await runImages(manifest!, { kind: 'frames', frames }, sessionLike);
    expect(images.map((i) => i.index)).toEqual([...Array(12).keys()]);
    expect(images.every((i) => i.findings?.length === 2)).toBe(true);
    // three runs of 40 ms; counting the next batch's preparation too would add two thirds of preprocessMs
    expect(timings.inferenceMs).toBeGreaterThanOrEqual(3 * RUN_MS);
    expect(timings.inferenceMs).toBeLessThan(3 * RUN_MS + timings.preprocessMs / 3);
  });
