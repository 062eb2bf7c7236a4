// Ingest benchmark (npm run bench:ingest): a synthetic 300×512×512 CT study sent by DCMTK storescu
// to the node and, in the same run, to DCMTK storescp; 1 association and 4 in parallel.
// Prints instances/s, MB/s, the node/storescp ratio and the node's peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeSyntheticCtSeries } from '../src/synthetic/index.js';
import { projectRoot } from '../src/paths.js';

const SLICES = Number(process.env.BENCH_SLICES ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PDU = 131072; // the same receive PDU size for both receivers (storescp's maximum)
const env = { ...process.env, TCP_NODELAY: '1' };

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const t0 = Date.now();
  const series = await writeSyntheticCtSeries(path.join(work, 'study'), { slices: SLICES });
  const bytes = series.files.reduce((s, f) => s + fs.statSync(f).size, 0);
  console.log(`study: ${series.files.length} instances, ${(bytes / 1e6).toFixed(1)} MB, generated in ${Date.now() - t0} ms`);

  const scpPort = await freePort();
  const scpDir = path.join(work, 'storescp');
  fs.mkdirSync(scpDir);
  const storescp = spawn('storescp', ['-aet', 'REFSCP', '--fork', '--max-pdu', String(PDU), '-od', scpDir, String(scpPort)], { env, stdio: 'ignore' });
  const node = await startNode(work);
  await waitPort(scpPort);

  const rows: string[] = [];
  for (const parallel of [1, 4]) {
    const nodeRate = await measure(node.port, 'DICOM_AI_NODE', series.files, parallel, bytes);
    const refRate = await measure(scpPort, 'REFSCP', series.files, parallel, bytes);
    rows.push(`${parallel} assoc | node ${nodeRate.ips.toFixed(0)} inst/s ${nodeRate.mbps.toFixed(1)} MB/s | storescp ${refRate.ips.toFixed(0)} inst/s ${refRate.mbps.toFixed(1)} MB/s | ratio ${(nodeRate.ips / refRate.ips).toFixed(2)}`);
  }
  const peakRssMb = peakRss(node.child.pid!);
  node.child.kill('SIGTERM');
  storescp.kill();
  console.log(`medians of ${RUNS} runs, TCP_NODELAY=1, receive PDU ${PDU} bytes, node acknowledges only fsynced data (file, directory and WAL)`);
  for (const r of rows) console.log(r);
  console.log(`node peak RSS: ${peakRssMb.toFixed(0)} MB`);
  fs.rmSync(work, { recursive: true, force: true });
}

async function measure(port: number, aet: string, files: string[], parallel: number, bytes: number) {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const groups = Array.from({ length: parallel }, (_, g) => files.filter((_, i) => i % parallel === g));
    const start = process.hrtime.bigint();
    await Promise.all(groups.map((g) => storescu(port, aet, g)));
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const s = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  return { ips: files.length / s, mbps: bytes / 1e6 / s };
}

function storescu(port: number, aet: string, files: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('storescu', ['-aet', 'BENCH', '-aec', aet, '-R', '-xe', '127.0.0.1', String(port), ...files], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`storescu → ${aet} failed: ${err}`))));
  });
}

async function startNode(work: string): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const config = {
    dicom: { port, host: '127.0.0.1', allowedCallers: [{ aeTitle: '*' }], maxPduLength: PDU },
    http: { port: await freePort(), host: '127.0.0.1' },
    storage: { dataDir: path.join(work, 'node-data'), minFreeMb: 1 },
    log: { level: 'warn' },
  };
  const configFile = path.join(work, 'node.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, ['--max-semi-space-size=64', path.join(projectRoot, 'dist/src/main.js')], { env: { ...process.env, CONFIG_FILE: configFile }, stdio: 'inherit' });
  await waitPort(port);
  return { port, child };
}

function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} never opened`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
