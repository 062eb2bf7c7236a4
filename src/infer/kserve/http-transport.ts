// One HTTP exchange on node:http(s) with keep-alive, the whole body in and out as bytes. Measured here against
// fetch for a 19 MB request + 4.8 MB response over loopback: 117–415 ms against 189–599 ms, so inference
// requests use this; a timeout aborts the exchange.
import http from 'node:http';
import https from 'node:https';

export interface Exchange { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export interface ExchangeInit { method: string; headers?: Record<string, string>; body?: Uint8Array[];
  timeoutMs: number }

export function exchange(url: string, init: ExchangeInit): Promise<Exchange> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const length = (init.body ?? []).reduce((n, b) => n + b.byteLength, 0);
  return new Promise((resolve, reject) => {
    const req = client.request(target, {
      method: init.method, agent: agents[target.protocol as 'http:' | 'https:'],
      signal: AbortSignal.timeout(init.timeoutMs),
      headers: { ...init.headers, ...(init.body ? { 'content-length': String(length) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, headers: res.headers,
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const part of init.body ?? []) req.write(part);
    req.end();
  });
}
