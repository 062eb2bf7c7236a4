// The pipeline with a segment that asks for IBSI features in its manifest: a features stage between infer and
// encode, and the SR's Lung group (only) holds one NUM per feature computed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelRegistry, shutdown } from '../../../src/infer/index.js';
import { segmentSeries, type StageTiming } from '../../../src/jobs/segment-series.js';
import { repoRoot, testdata } from '../../support/node-process.js';
import { spawnSync } from 'node:child_process';

const files = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));

/** ct-body-lung, with Lung asking for morphology and intensity statistics on the image grid. */
function modelsWithFeatures(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'models-features-'));
  const model = path.join(dir, 'ct-body-lung');
  fs.cpSync(path.join(repoRoot, 'models', 'ct-body-lung'), model, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(model, 'model.json'), 'utf8'));
  const lung = manifest.segments.find((s: { label: string }) => s.label === 'Lung');
  lung.features = { resampling: null, families: ['morphology', 'intensity statistics'] };
  fs.writeFileSync(path.join(model, 'model.json'), JSON.stringify(manifest));
  return dir;
}

describe('segmentSeries with features', async () => {
  const registry = await loadModelRegistry(modelsWithFeatures());
  afterAll(() => shutdown(registry));

  it('runs a features stage and writes the Lung features into the SR', async () => {
    const stages: StageTiming[] = [];
    const result = await segmentSeries(registry, 'ct-body-lung', files, { jobId: 'job-f', uidRoot: '2.25' },
      (t) => stages.push(t));
    expect(stages.map((s) => s.stage)).toEqual(['load', 'infer', 'features', 'encode']);
    const sr = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sr-features-')), 'sr.dcm');
    fs.writeFileSync(sr, result.sr.bytes);
    const dump = spawnSync('dsrdump', ['+Pc', sr], { encoding: 'utf8' }).stdout;
    const groups = dump.split(/CONTAINER:\(125007,DCM,"Measurement Group"\)/).slice(1);
    const lung = groups.find((g) => g.includes('"Tracking Identifier")="Lung"'))!;
    const body = groups.find((g) => g.includes('"Tracking Identifier")="Body"'))!;
    expect(lung).toContain('(C0JK,IBSI,"Surface area (mesh)")');
    expect(lung).toContain('(ECT3,IBSI,"Intensity variance")');
    expect(lung).not.toContain(',IBSI,"Joint maximum")'); // GLCM was not asked for
    expect(body).not.toContain(',IBSI,');
  });
});
