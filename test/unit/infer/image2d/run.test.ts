// The 2D run's scheduling (run.ts): the network starts after the first prepared image, takes what was prepared while
// it ran (up to the manifest's batch), hands every image its own share of the output in order, and a failed run
// fails the whole call. The network here is a stand-in that records its batches, so the order and sizes are known.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImages } from '../../../../src/infer/image2d/run.js';
import type { ModelManifest } from '../../../../src/infer/manifest.js';
import { repoRoot } from '../helpers.js';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'models/cxr-view/model.json'), 'utf8')) as ModelManifest;
const SIDE = 32;
const COUNT = 20;

/** COUNT slices, slice k filled with the value 4k, windowed 0…80 by their headers: brighter with k. */
function slices() {
  const data = new Float32Array(COUNT * SIDE * SIDE);
  for (let k = 0; k < COUNT; k++) data.fill(4 * k, k * SIDE * SIDE, (k + 1) * SIDE * SIDE);
  const datasets = Array.from({ length: COUNT }, (_, k) => ({
    SOPInstanceUID: `1.2.3.${k}`, SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', WindowCenter: 40, WindowWidth: 80,
    PhotometricInterpretation: 'MONOCHROME2', PixelSpacing: [0.5, 0.5],
  }));
  return { kind: 'slices' as const, data, rows: SIDE, columns: SIDE, datasets };
}

/** Logits (mean, −mean) per image, after `delayMs`; records each batch's size. */
function network(delayMs: number, failOnCall?: number) {
  const batches: number[] = [];
  const tensor = async (input: Float32Array, dims: number[]) => {
    batches.push(dims[0]);
    if (batches.length === failOnCall) throw new Error('server answered 500');
    await new Promise((r) => setTimeout(r, delayMs));
    const per = input.length / dims[0];
    const out = new Float32Array(dims[0] * 2);
    for (let b = 0; b < dims[0]; b++) {
      let sum = 0;
      for (let i = b * per; i < (b + 1) * per; i++) sum += input[i];
      out[2 * b] = sum / per;
      out[2 * b + 1] = -sum / per;
    }
    return { data: out, dims: [dims[0], 2] };
  };
  return { tensor, batches };
}

describe('2D run scheduling', () => {
  it('starts the network after one image, batches what was prepared meanwhile, and keeps every image its own output', async () => {
    const { tensor, batches } = network(25);
    const { images } = await runImages(manifest, slices(), tensor);
    expect(batches[0]).toBe(1);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(COUNT);
    expect(Math.max(...batches)).toBeLessThanOrEqual(manifest.inference.batch!);
    expect(Math.max(...batches)).toBeGreaterThan(1); // a slow network finds several images ready
    expect(images.map((i) => i.index)).toEqual([...Array(COUNT).keys()]);
    expect(images.map((i) => i.sopInstanceUid)).toEqual(images.map((i) => `1.2.3.${i.index}`));
    const frontal = images.map((i) => i.findings!.find((f) => f.code.meaning === 'frontal')!.score);
    for (let k = 1; k < COUNT; k++) expect(frontal[k], `slice ${k} brighter than ${k - 1}`).toBeGreaterThan(frontal[k - 1]);
  });

  it('fails the call with the error of a failed run, and sends nothing after it', async () => {
    const { tensor, batches } = network(5, 2);
    await expect(runImages(manifest, slices(), tensor)).rejects.toThrow('server answered 500');
    await new Promise((r) => setTimeout(r, 50));
    expect(batches).toHaveLength(2);
  });
});
