// A throw-away PKI for TLS tests: a CA and a server certificate for 127.0.0.1 / localhost, made with openssl.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TestPki { ca: string; cert: string; key: string }

export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pki-'));
  const pem = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ca', '-keyout', pem('ca.key'),
    '-out', pem('ca.crt'));
  fs.writeFileSync(pem('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=server', '-keyout', pem('server.key'),
    '-out', pem('server.csr'));
  openssl('x509', '-req', '-in', pem('server.csr'), '-CA', pem('ca.crt'), '-CAkey', pem('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', pem('server.ext'), '-out', pem('server.crt'));
  return { ca: pem('ca.crt'), cert: pem('server.crt'), key: pem('server.key') };
}
