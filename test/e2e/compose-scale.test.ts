// docker/compose.scale.yml checked with what runs here (no Docker engine, as compose.test.ts does for compose.yml):
// the file resolves with PostgreSQL, two nodes on one shared volume and Triton; the nodes' configuration (file +
// environment) passes the node's own loader; Triton's model repository is the one in the repository.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, nodeIdOf } from '../../src/config/load.js';
import { ADMIN_TOKEN, repoRoot } from '../support/node-process.js';

const dockerDir = path.join(repoRoot, 'docker');
const composeFile = path.join(dockerDir, 'compose.scale.yml');

function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}
const compose = composeCommand();
const run = (args: string[], env: Record<string, string | undefined>) =>
  spawnSync(compose![0]!, [...compose!.slice(1), '-f', composeFile, ...args],
    { encoding: 'utf8', env: { ...process.env, ...env } as NodeJS.ProcessEnv });
const env = { ADMIN_TOKEN, PGPASSWORD: 'queue-password-for-tests' };

describe('docker/compose.scale.yml', () => {
  it.skipIf(!compose)('resolves with PostgreSQL, two nodes on one shared data volume and Triton', () => {
    const services = run(['config', '--services'], env);
    expect(services.status, services.stderr).toBe(0);
    expect(services.stdout.trim().split('\n').sort()).toEqual(['node-1', 'node-2', 'postgres', 'triton']);
    expect(run(['config', '--volumes'], env).stdout.trim().split('\n').sort()).toEqual(['queue-db', 'shared-data']);
    const resolved = run(['config'], env).stdout;
    // both nodes: the same volume at /data, the same queue, their own ids, their own published ports
    expect(resolved.match(/shared-data:\/data/g)).toHaveLength(2);
    expect(resolved.match(
      /DATABASE_URL: postgres:\/\/dain:queue-password-for-tests@postgres:5432\/dain/g)).toHaveLength(2);
    expect(resolved).toContain('NODE_ID: node-1');
    expect(resolved).toContain('NODE_ID: node-2');
    expect(resolved).toMatch(/published: 11113\s+target: 11112/);
    expect(resolved).toContain('condition: service_healthy');
    expect(resolved).toContain('/models/ct-body-lung/config.pbtxt');
    // both nodes send ct-body-lung to Triton: the remote manifest replaces the built-in one in the image
    const manifestMounts = [...resolved.matchAll(
      /- (\/\S+):\/app\/models\/ct-body-lung\/model\.json:ro/g)].map((m) => m[1]);
    expect(manifestMounts).toEqual(
      [0, 1].map(() => path.join(dockerDir, 'triton/node-models/ct-body-lung/model.json')));
  });

  it.skipIf(!compose)('demands the admin token and the queue password', () => {
    for (const missing of ['ADMIN_TOKEN', 'PGPASSWORD']) {
      const r = run(['config'], { ...env, [missing]: undefined });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(missing));
    }
  });

  it('gives each node a configuration the node accepts: the shared queue, its own id', () => {
    const config = loadConfig({ CONFIG_FILE: path.join(dockerDir, 'node-config.json'), ADMIN_TOKEN,
      DATABASE_URL: 'postgres://dain:pw@postgres:5432/dain', NODE_ID: 'node-2' });
    expect(config.database.url).toBe('postgres://dain:pw@postgres:5432/dain');
    expect(nodeIdOf(config)).toBe('node-2');
    expect(config.storage.dataDir).toBe('/data');
  });

  it('mounts a Triton model repository that exists: config.pbtxt for the built-in model and its ONNX file', () => {
    const pbtxt = fs.readFileSync(path.join(dockerDir, 'triton/models/ct-body-lung/config.pbtxt'), 'utf8');
    expect(pbtxt).toMatch(/name: "ct-body-lung"/);
    expect(fs.existsSync(path.join(repoRoot, 'models/ct-body-lung/model.onnx'))).toBe(true);
  });
});
