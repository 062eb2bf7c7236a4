// docker/compose.yml checked with what runs here (no Docker engine): the compose file resolves, the
// node's mounted config passes the node's own loader, the setup script registers Orthanc on a real
// node, and Orthanc's compose config + auto-route script close the loop with Debian's Orthanc.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { runTool, storescu } from '../support/dcmtk.js';
import { ADMIN_TOKEN, repoRoot, startNode, type RunningNode } from '../support/node-process.js';
import { appConfig } from '../support/ohif.js';
import { startOrthanc, type RunningOrthanc } from '../support/orthanc.js';
import { ctFiles, e2eConfig, objectsInOrthanc, resultsInOrthanc } from './loop-support.js';

const dockerDir = path.join(repoRoot, 'docker');
const composeFile = path.join(dockerDir, 'compose.yml');

/** `docker compose` (v2 plugin) when installed, else Debian's docker-compose (v1); undefined when neither. */
function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}
const compose = composeCommand();

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

describe('docker/compose.yml', () => {
  it.skipIf(!compose)('resolves with the node, its setup, Orthanc, OHIF and the same-origin viewer proxy, and demands ADMIN_TOKEN', () => {
    const run = (args: string[], env: Record<string, string>) => spawnSync(compose![0],
      [...compose!.slice(1), '-f', composeFile, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
    const env = { ADMIN_TOKEN: ADMIN_TOKEN };
    const services = run(['config', '--services'], env);
    expect(services.status, services.stderr).toBe(0);
    expect(services.stdout.trim().split('\n').sort()).toEqual(['node', 'node-setup', 'ohif', 'orthanc', 'viewer']);
    expect(run(['config', '--volumes'], env).stdout.trim().split('\n').sort()).toEqual(['node-data', 'orthanc-db']);
    const resolved = run(['config'], env).stdout;
    expect(resolved).toContain('dockerfile: docker/Dockerfile');
    expect(resolved).toMatch(/node-data:\/data/);
    expect(resolved).toContain('condition: service_healthy');
    const { ADMIN_TOKEN: _unset, ...withoutToken } = process.env;
    const missing = spawnSync(compose![0], [...compose!.slice(1), '-f', composeFile, 'config'],
      { encoding: 'utf8', env: withoutToken as NodeJS.ProcessEnv });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/ADMIN_TOKEN/);
  });

  it('mounts a node configuration that the node itself accepts (every key validated)', () => {
    const config = loadConfig({ CONFIG_FILE: path.join(dockerDir, 'node-config.json'), ADMIN_TOKEN });
    expect(config.storage.dataDir).toBe('/data');
    expect(config.dicom.port).toBe(11112);
    expect(config.http.port).toBe(8080);
    expect(config.admin.adminToken).toBe(ADMIN_TOKEN);
    expect(config.dicom.allowedCallers.some((c) => c.aeTitle === '*' && c.host === undefined))
      .toBe(true); // Orthanc calls from another container
  });

  it('gives OHIF the app-config the viewer tests prove (DICOMweb on its own origin, proxied to Orthanc)', () => {
    expect(appConfig()).toMatch(/const dicomWebRoot = window\.location\.origin \+ '\/dicom-web'/);
    expect(fs.readFileSync(path.join(dockerDir, 'viewer-nginx.conf'), 'utf8')).toMatch(
      /location \/dicom-web\/ \{\s*proxy_pass http:\/\/orthanc:8042\/dicom-web\/;/);
  });

  it('closes the loop with its Orthanc config and auto-route script: a CT sent to Orthanc comes back with SEG + SR', async () => {
    const node: RunningNode = await startNode(e2eConfig);
    cleanups.push(() => node.stop());
    // The setup script, as the node-setup service runs it, registers Orthanc on the real node; twice is fine.
    // The compose Orthanc config with only what differs outside a container: ports, folders, paths, peers.
    const { DicomPort: _d, HttpPort: _h, StorageDirectory: _s, IndexDirectory: _i, RemoteAccessAllowed: _r,
      ...orthancJson } = JSON.parse(fs.readFileSync(path.join(dockerDir, 'orthanc.json'), 'utf8'));
    const orthanc: RunningOrthanc = await startOrthanc({
      ...orthancJson,
      LuaScripts: [path.join(dockerDir, 'orthanc-autoroute.lua')],
      DicomModalities: { 'ai-node': [node.aeTitle, '127.0.0.1', node.dimsePort] },
    });
    cleanups.push(() => orthanc.stop());
    const setupEnv = { NODE_URL: node.url(''), ADMIN_TOKEN, ORTHANC_HOST: '127.0.0.1',
      ORTHANC_DICOM_PORT: String(orthanc.dicomPort), ORTHANC_AE: orthanc.aeTitle };
    const setup = (env: Record<string, string>) => spawnSync('sh', [path.join(dockerDir, 'compose-setup.sh')],
      { encoding: 'utf8', env: { ...process.env, ...env } });
    expect(setup(setupEnv).stdout).toMatch(/destination orthanc .* created/);
    const again = setup(setupEnv);
    expect([again.status, again.stdout]).toEqual([0, expect.stringMatching(/exists already/)]);
    const wrongToken = setup({ ...setupEnv, ADMIN_TOKEN: 'not-the-token-0123456789' });
    expect([wrongToken.status, wrongToken.stderr]).toEqual([1, expect.stringMatching(/answered 401/)]);

    const studyUid = /\[([^\]]*)\]/.exec((await runTool('dcmdump', ['+P', '0020,000d', ctFiles[0]])).stdout)![1];
    const sent = await storescu(orthanc.dicomPort, ctFiles, { callingAe: 'MODALITY', calledAe: orthanc.aeTitle });
    expect(sent.code, sent.stderr).toBe(0);
    await resultsInOrthanc(orthanc, studyUid);
    expect((await objectsInOrthanc(orthanc, studyUid)).map((o) => o.modality).sort()).toEqual(
      ['CT', 'CT', 'CT', 'SEG', 'SR']);
  });
});
