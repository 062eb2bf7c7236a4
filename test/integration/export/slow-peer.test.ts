// Issue 15 fault 4: a batch that outlives export.leaseSeconds (a slow PACS) keeps its lease while
// it sends, so each object reaches the peer exactly once. The peer is DCMTK's storescp sleeping
// 2 s before answering each C-STORE; the lease is 1 s, the batch of 2 objects takes over 4 s.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../support/node-process.js';
import { enqueueFiles, rows, samples, startHarness } from './harness.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => { for (const c of cleanups.reverse()) await c(); });

async function startSlowScp(sleepSeconds: number): Promise<{ port: number; dir: string; requests: () => number }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slowscp-'));
  // --fork: a duplicate send on a second association is served, not queued behind the first.
  const child = spawn('storescp', ['-v', '--fork', '--sleep-after', String(sleepSeconds), '+uf', '-aet', 'SLOWSCP',
    '-od', dir, String(port)], { env: { ...process.env, TCP_NODELAY: '1' } });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  cleanups.push(() => child.kill('SIGKILL'));
  await waitFor('storescp listening', () => new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
  }));
  return { port, dir, requests: () => (log.match(/Received Store Request/g) ?? []).length };
}

describe('outbox lease on a slow peer', () => {
  it('renews the lease while sending: each object is C-STOREd exactly once', async () => {
    const scp = await startSlowScp(2);
    const h = startHarness([{ id: 'slow', name: 'slow PACS', type: 'dimse', aeTitle: 'SLOWSCP', host: '127.0.0.1',
      port: scp.port }], { leaseSeconds: 1 });
    cleanups.push(() => h.stop());
    await enqueueFiles(h, 'slow', [samples.ctExplicit, samples.ctImplicit]);
    await waitFor('both delivered', () => rows(h).every((r) => r.state === 'delivered') || undefined, 60_000);
    await new Promise((r) => setTimeout(r, 5000)); // a duplicate claimed after a lost lease would arrive now
    expect(scp.requests()).toBe(2);
    expect(fs.readdirSync(scp.dir)).toHaveLength(2);
    expect(rows(h).map((r) => r.attempts)).toEqual([1, 1]);
    expect(h.logs.filter((l) => l.event === 'export.delivered').reduce((n, l) => n + (l.objects as number), 0)).toBe(2);
  }, 90_000);
});
