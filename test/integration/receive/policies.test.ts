// Storage and transport policies on the running node: the free-space floor (0xA700) and the TLS listener.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../support/dcmtk.js';
import { freePort, startNode, testdata, type RunningNode } from '../../support/node-process.js';

const ctFile = path.join(testdata, 'dcmqi-ct3/01.dcm');

describe('below the free-space floor', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode({ storage: { minFreeMb: 1e12 } }); });
  afterAll(async () => { await node?.stop(); });

  it('answers C-STORE with 0xA700 and keeps nothing', async () => {
    const r = await runTool('storescu',
      ['-v', '-xi', '-aet', 'TESTSCU', '-aec', 'DICOM_AI_NODE', '127.0.0.1', String(node.dimsePort), ctFile]);
    expect(r.stderr + r.stdout).toMatch(/Received Store Response \(Refused: OutOfResources\)|0xa700/i);
    expect(fs.readdirSync(node.tmpDir)).toEqual([]);
    expect(fs.readdirSync(path.join(node.dataDir, 'studies'))).toEqual([]);
    expect(node.logs().some((l) => l.event === 'store.instance.failed' && l.code === 'STORE_OUT_OF_SPACE')).toBe(true);
  });

  it('fails STOW parts with FailureReason 0xA700 and reports the node degraded', async () => {
    const boundary = 'floor';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
      fs.readFileSync(ctFile), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const res = await fetch(node.url('/dicomweb/studies'), { method: 'POST', body,
      headers: { 'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}` } });
    expect(res.status).toBe(409);
    const json = await res.json() as any;
    expect(json['00081198'].Value[0]['00081197'].Value[0]).toBe(0xa700);
    const health = await fetch(node.url('/api/health'));
    expect(health.status).toBe(503);
    expect((await health.json() as any).status).toBe('degraded');
  });
});

describe('TLS listener', () => {
  let node: RunningNode;
  let tlsPort: number;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
  const file = (n: string) => path.join(dir, n);
  beforeAll(async () => {
    for (const who of ['node', 'scu']) {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${who}`,
        '-keyout', file(`${who}.key`), '-out', file(`${who}.crt`)], { stdio: 'ignore' });
    }
    tlsPort = await freePort();
    node = await startNode({ dicom: { tls: { enabled: true, port: tlsPort, keyFile: file('node.key'),
      certFile: file('node.crt'), caFile: '', requireClientCert: false } } });
  });
  afterAll(async () => { await node?.stop(); });

  it('accepts C-ECHO and C-STORE over TLS from DCMTK, verifying the node certificate', async () => {
    const tls = ['+tls', file('scu.key'), file('scu.crt'), '+cf', file('node.crt')];
    const echo =
      await runTool('echoscu', [...tls, '-aet', 'TLSSCU', '-aec', 'DICOM_AI_NODE', '127.0.0.1', String(tlsPort)]);
    expect(echo.code, echo.stderr).toBe(0);
    const store = await runTool('storescu',
      [...tls, '-xi', '-aet', 'TLSSCU', '-aec', 'DICOM_AI_NODE', '127.0.0.1', String(tlsPort), ctFile]);
    expect(store.code, store.stderr).toBe(0);
    const studies = await (await node.api('/api/studies')).json() as any[];
    expect(studies[0]).toMatchObject({ instances: 1, callingAes: ['TLSSCU'] });
  });

  it('refuses a plain DICOM connection on the TLS port', async () => {
    const plain = await runTool('echoscu',
      ['-aet', 'TLSSCU', '-aec', 'DICOM_AI_NODE', '127.0.0.1', String(tlsPort)], { timeoutMs: 15_000 });
    expect(plain.code).not.toBe(0);
  });
});
