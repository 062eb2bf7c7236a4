// The shared pipeline from source (vitest runs the .ts workers): the real CT → SEG + SR whose UIDs
// depend only on (series, model, job id), so a rerun of a job writes the same objects.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSegmentation } from '../../../src/encode/index.js';
import { loadModelRegistry, runModel, shutdown } from '../../../src/infer/index.js';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { segmentSeries, type StageTiming } from '../../../src/jobs/segment-series.js';
import { repoRoot, testdata } from '../../support/node-process.js';

const files = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));

describe('segmentSeries', async () => {
  const registry = await loadModelRegistry(path.join(repoRoot, 'models'));
  afterAll(() => shutdown(registry));

  it('times load, infer and encode and gives the same UIDs for the same job, other UIDs for another job', async () => {
    const stages: StageTiming[] = [];
    const a = await segmentSeries(registry, 'ct-body-lung', files, { jobId: 'job-7', uidRoot: '2.25' },
      (t) => stages.push(t));
    expect(stages.map((s) => s.stage)).toEqual(['load', 'infer', 'encode']);
    expect(a.seg.segments.map((s) => s.label).sort()).toEqual(['Body', 'Lung']);
    expect(readSegmentation(a.seg.bytes).segments.map((s) => s.label).sort()).toEqual(['Body', 'Lung']);
    const again = await segmentSeries(registry, 'ct-body-lung', files, { jobId: 'job-7', uidRoot: '2.25' });
    expect([again.seg.sopInstanceUid, again.sr.sopInstanceUid]).toEqual([a.seg.sopInstanceUid, a.sr.sopInstanceUid]);
    const other = await segmentSeries(registry, 'ct-body-lung', files, { jobId: 'job-8', uidRoot: '2.25' });
    expect(other.seg.sopInstanceUid).not.toBe(a.seg.sopInstanceUid);
  });

  it('hands the encode workers labels and intensities on SharedArrayBuffers (a plain buffer would be copied per worker)', async () => {
    const loaded = await loadSeriesVolume(files);
    const run = await runModel(registry, 'ct-body-lung', loaded.volume);
    expect(loaded.volume.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(run.labels.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('rejects with coded errors: an unknown model, and a series the loader refuses', async () => {
    await expect(segmentSeries(registry, 'no-such-model', files,
      { jobId: 'j', uidRoot: '2.25' })).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(segmentSeries(registry, 'ct-body-lung', [path.join(repoRoot, 'package.json')],
      { jobId: 'j', uidRoot: '2.25' })).rejects.toMatchObject(
      { code: expect.stringMatching(/^(READ_FAILED|TOO_FEW_SLICES)$/) });
  });
});
