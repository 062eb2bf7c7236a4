// Configuration: defaults, overrides, and every bad key reported with its path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../support/node-process.js';

function withFile(obj: unknown): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'c.json');
  fs.writeFileSync(f, JSON.stringify(obj));
  return f;
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect([c.dicom.aeTitle, c.dicom.port, c.http.port, c.storage.dataDir, c.dicom.maxAssociations]).toEqual(
      ['DICOM_AI_NODE', 11112, 8080, './data', 16]);
    expect(c.completion).toMatchObject({ seriesQuietSeconds: 10, studyQuietSeconds: 30 });
    expect(c.retention.maxAgeDays).toBe(7);
  });

  it('applies a CONFIG_FILE, then environment overrides', () => {
    const file = withFile({ dicom: { aeTitle: 'FROM_FILE', port: 2000 } });
    const c = loadConfig(
      { CONFIG_FILE: file, DICOM_PORT: '3000', HTTP_PORT: '9000', DATA_DIR: '/srv/x', LOG_LEVEL: 'debug' });
    expect([c.dicom.aeTitle, c.dicom.port, c.http.port, c.storage.dataDir, c.log.level]).toEqual(
      ['FROM_FILE', 3000, 9000, '/srv/x', 'debug']);
    expect(loadConfig({ DICOM_AE_TITLE: 'ENV_AE' }).dicom.aeTitle).toBe('ENV_AE');
  });

  it('reports every bad key with its path', () => {
    const file = withFile({ dicom: { port: 70000, aeTitle: 'THIS_AE_TITLE_IS_TOO_LONG', colour: 'red' },
      http: { stow: { auth: { type: 'bearer' } } }, retention: { schedule: 'every day at 3' } });
    let problems: string[] = [];
    try {
      loadConfig({ CONFIG_FILE: file, LOG_LEVEL: 'loud' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      problems = (err as ConfigError).problems;
    }
    const text = problems.join('\n');
    for (const where of ['dicom>port', 'dicom>aeTitle', "dicom: must NOT have additional properties 'colour'",
      'http>stow>auth', 'log>level']) expect(text).toContain(where);
  });

  it('makes the node exit non-zero with the problems on stderr', () => {
    const file = withFile({ dicom: { port: -1 } });
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/main.js')],
      { env: { ...process.env, CONFIG_FILE: file }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('dicom>port');
  });

  it('refuses to start with an invalid rules file, naming each problem with its path', () => {
    const rules = withFile({ rules: [{ id: 'r1', name: 'x', enabled: true, priority: 1,
      when: { attribute: 'Modality', op: 'like', value: 'CT' }, actions: [], then: 'stop' }] });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-data-'));
    const file = withFile(
      { routing: { rulesFile: rules }, storage: { dataDir, minFreeMb: 1 }, dicom: { port: 0 }, http: { port: 0 } });
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/main.js')],
      { env: { ...process.env, CONFIG_FILE: file }, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${rules}/rules/0/when/op`);
  });
});
