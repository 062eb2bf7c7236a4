// The admin command line: `dicom-ai-node segment` on real and unusable input, through the built CLI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSyntheticCtSeries } from '../../src/synthetic/index.js';
import { repoRoot, testdata } from '../support/node-process.js';

const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/cli.js'), ...args],
  { encoding: 'utf8', timeout: 120_000 });

describe('dicom-ai-node segment', () => {
  it('writes a SEG and an SR for the real CT and prints a one-line JSON summary', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const r = cli('segment', '--model', 'ct-body-lung', '--input', path.join(testdata, 'dcmqi-ct3'), '--output', out);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]);
    expect(summary).toMatchObject({ model: 'ct-body-lung', provider: 'cpu',
      seriesInstanceUid: '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1', slices: 3 });
    expect(summary.qc.state).toMatch(/^(passed|failed|none)$/);   // the built-in model's checks, whatever they are now
    const byLabel = Object.fromEntries(summary.segments.map((s: any) => [s.label, s]));
    expect(byLabel.Body.voxelCount).toBeGreaterThan(byLabel.Lung.voxelCount);
    expect(byLabel.Lung.voxelCount).toBeGreaterThan(0);
    for (const f of ['seg.dcm', 'sr.dcm']) {
      const v = spawnSync('dciodvfy', [path.join(out, f)], { encoding: 'utf8' });
      expect(v.stderr + v.stdout, f).not.toMatch(/^Error/m);
    }
    const dump = spawnSync('dcmdump', ['+P', 'SOPInstanceUID', path.join(out, 'seg.dcm')], { encoding: 'utf8' }).stdout;
    expect(dump).toContain(summary.seg);
  });

  it('writes only an SR reporting every segment absent when nothing is segmented (an all-air scan)', async () => {
    const dims: [number, number, number] = [64, 64, 8];
    const n = dims[0] * dims[1] * dims[2];
    const phantom =
      { hu: new Int16Array(n).fill(-1000), bodyMask: new Uint8Array(n), lungMask: new Uint8Array(n), dims };
    const input = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-air-'));
    await writeSyntheticCtSeries(input, { phantom, slices: 8, rows: 64, columns: 64 });
    const out = path.join(input, 'out');
    const r = cli('segment', '--model', 'ct-body-lung', '--input', input, '--output', out);
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.absent.sort()).toEqual(['Body', 'Lung']);
    expect(summary.seg).toBeNull();
    expect(fs.readdirSync(out)).toEqual(['sr.dcm']);
  });

  it('exits non-zero with a clear message when the folder holds no usable series', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-empty-'));
    fs.writeFileSync(path.join(empty, 'note.txt'), 'not DICOM');
    const r = cli('segment', '--model', 'ct-body-lung', '--input', empty, '--output', path.join(empty, 'out'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/CLI_NO_SUITABLE_SERIES: no CT series/);
    const missing = cli('segment', '--model', 'no-such-model', '--input', path.join(testdata, 'dcmqi-ct3'), '--output',
      path.join(empty, 'out'));
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/no model "no-such-model"/);
  });
});
