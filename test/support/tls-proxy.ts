// An HTTPS front for a plain-HTTP peer (Orthanc's DICOMweb): TLS is terminated here with a test certificate and
// each request is passed on unchanged, so a test can require https of the node while the peer stays plain.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './pki.js';

export interface TlsProxy { url: (p: string) => string; requests: string[]; close: () => Promise<void> }

export async function startTlsProxy(targetPort: number, pki: TestPki): Promise<TlsProxy> {
  const requests: string[] = [];
  const server = https.createServer({ cert: fs.readFileSync(pki.cert), key: fs.readFileSync(pki.key) }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url,
      headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => { res.writeHead(502); res.end(err.message); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `https://127.0.0.1:${port}${p}`, requests,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
