// Fault 3 of issue 15: the node listened on 0.0.0.0 by default and STOW-RS bypassed the host
// allow-list (a STOW from another address was stored while DIMSE from it was rejected). 127.0.0.2
// is a loopback address on Linux, distinct from 127.0.0.1: here it plays "another host".
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startNode, testdata, type RunningNode } from '../../support/node-process.js';
import { RawPeer } from '../../support/raw-association.js';

const OTHER_HOST = '127.0.0.2';
const ctFile = path.join(testdata, 'dcmqi-ct3/01.dcm');
const boundary = 'exposure';
const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
  fs.readFileSync(ctFile), Buffer.from(`\r\n--${boundary}--\r\n`)]);

/** POST a one-instance STOW from `localAddress`. */
function stowFrom(node: RunningNode, localAddress: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: node.httpPort, localAddress, method: 'POST', path: '/dicomweb/studies',
      headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
        'content-length': body.length },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d))
        .on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

const storedCount = (node: RunningNode) => {
  const root = path.join(node.dataDir, 'studies');
  return fs.existsSync(root)
    ? fs.readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.dcm')).length : 0;
};

describe('default bind addresses', () => {
  let node: RunningNode;
  // undefined drops the test harness's own host keys, so config/default.json decides.
  beforeAll(async () => { node = await startNode({ http: { host: undefined }, dicom: { host: undefined } }); });
  afterAll(async () => { await node?.stop(); });

  it('listen on 127.0.0.1 only, for HTTP and DIMSE', async () => {
    expect(node.logs().find((l) => l.event === 'http.listening')).toMatchObject({ host: '127.0.0.1' });
    expect(await reachable('127.0.0.1', node.httpPort)).toBe(true);
    expect(await reachable('127.0.0.1', node.dimsePort)).toBe(true);
    expect(await reachable(OTHER_HOST, node.httpPort)).toBe(false);
    expect(await reachable(OTHER_HOST, node.dimsePort)).toBe(false);
  });
});

describe('the host allow-list', () => {
  let node: RunningNode;
  // The DIMSE allow-list as shipped: any AE title, from this machine's 127.0.0.1 only.
  beforeAll(async () => {
    node = await startNode({ dicom: { allowedCallers: [{ aeTitle: '*', host: '127.0.0.1' }] } }); });
  afterAll(async () => { await node?.stop(); });

  it('refuses DIMSE from another host', async () => {
    const peer = await RawPeer.connect(node.dimsePort, OTHER_HOST);
    expect(await peer.associate(node.aeTitle)).toBe(0x03);
    peer.destroy();
  });

  it('refuses STOW-RS from that host too, with STOW_HOST_NOT_ALLOWED, and stores nothing', async () => {
    const r = await stowFrom(node, OTHER_HOST);
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('STOW_HOST_NOT_ALLOWED');
    expect(storedCount(node)).toBe(0);
    expect(node.logs().some((l) => l.event === 'stow.host.rejected' && l.host === OTHER_HOST)).toBe(true);
  });

  it('accepts STOW-RS from 127.0.0.1', async () => {
    expect((await stowFrom(node, '127.0.0.1')).status).toBe(200);
    expect(storedCount(node)).toBe(1);
  });
});

describe('opening STOW-RS to another host', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ http: { stow: { allowedHosts: ['127.0.0.1', '127.0.0.2/32'] } } }); });
  afterAll(async () => { await node?.stop(); });

  it('stores what a listed host sends', async () => {
    expect((await stowFrom(node, OTHER_HOST)).status).toBe(200);
    expect(storedCount(node)).toBe(1);
  });
});

describe('refusing to start exposed', () => {
  it('exits with code 2 when an unauthenticated STOW-RS would be reachable from the network', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exposed-'));
    const file = path.join(dir, 'c.json');
    fs.writeFileSync(file, JSON.stringify({ http: { host: '0.0.0.0', port: 0, stow: { allowedHosts: ['10.0.0.0/8'] } },
      dicom: { port: 0 }, storage: { dataDir: path.join(dir, 'data') } }));
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist/src/main.js')],
      { env: { ...process.env, CONFIG_FILE: file }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('http>stow>auth');
    expect(r.stderr).toContain('10.0.0.0/8');
  });
});
