// The TLS peers of the TLS export tests: a throwaway PKI made with openssl and DCMTK storescp +tls over it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, testdata, waitFor } from '../../support/node-process.js';

export const seg = path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm');
export const sr = path.join(testdata, 'dcmqi-seg-sr/tid1500-sr.dcm');
const pki = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-export-'));
export const pem = (name: string) => path.join(pki, name);

/** A throwaway CA that signs a server certificate (for 127.0.0.1 and localhost) and a client one; a second CA that
 *  signs nothing we meet. */
export function makePki(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  for (const ca of ['ca', 'other-ca']) openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj',
    `/CN=${ca}`, '-keyout', pem(`${ca}.key`), '-out', pem(`${ca}.crt`));
  fs.writeFileSync(pem('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  fs.writeFileSync(pem('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', pem(`${who}.key`),
      '-out', pem(`${who}.csr`));
    openssl('x509', '-req', '-in', pem(`${who}.csr`), '-CA', pem('ca.crt'), '-CAkey', pem('ca.key'), '-CAcreateserial',
      '-days', '2', '-extfile', pem(`${who}.ext`), '-out', pem(`${who}.crt`));
  }
}

export interface TlsScp { port: number; dir: string; output: () => string; child: ChildProcess }

/** storescp over TLS with the server certificate, writing exactly what it receives (+B); peerCheck: -ic (no client
 *  cert) or -rc +cf ca (mutual TLS). */
export async function startTlsScp(peerCheck: string[]): Promise<TlsScp> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-scp-'));
  let output = '';
  const child = spawn('storescp', ['-v', '-aet', 'TLSSCP', '+tls', pem('server.key'), pem('server.crt'), ...peerCheck,
    '+B', '+xa', '-od', dir, String(port)]);
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await waitFor('storescp listening', () => new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }), 5000);
  return { port, dir, output: () => output, child };
}

export const received = (scp: TlsScp) => fs.readdirSync(scp.dir).map((f) => path.join(scp.dir, f));
