// Ingest benchmark (npm run bench:ingest): a synthetic 300×512×512 CT study sent by DCMTK storescu
// to the node and, in the same run, to DCMTK storescp and Orthanc (neither fsyncs); 1 association
// and 4 in parallel, the receivers taking turns run by run so they share the machine's load.
// Prints instances/s, MB/s, the node/storescp ratio, the node's peak RSS, the load average and
// this disk's fdatasync latency (one per instance is what a durable acknowledgement costs).
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
  console.log(
    `study: ${series.files.length} instances, ${(bytes / 1e6).toFixed(1)} MB, generated in ${Date.now() - t0} ms`);

  const scpPort = await freePort();
  const scpDir = path.join(work, 'storescp');
  fs.mkdirSync(scpDir);
  const storescp = spawn('storescp',
    ['-aet', 'REFSCP', '--fork', '--max-pdu', String(PDU), '-od', scpDir, String(scpPort)], { env, stdio: 'ignore' });
  const orthanc = await startOrthanc(work);
  const node = await startNode(work);
  await waitPort(scpPort);
  await new Promise((r) => setTimeout(r, 3000)); // the node's journal ring is prefilled in the background once

  const rows: string[] = [];
  const loads: number[] = [];
  const syncs: number[] = [];
  for (const parallel of [1, 4]) {
    const t = { node: [] as number[], scp: [] as number[], orthanc: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      loads.push(os.loadavg()[0]);
      syncs.push(fdatasyncMs(work));
      t.node.push(await timeSend(node.port, 'DICOM_AI_NODE', series.files, parallel));
      t.scp.push(await timeSend(scpPort, 'REFSCP', series.files, parallel));
      t.orthanc.push(await timeSend(orthanc.port, 'ORTHANC', series.files, parallel));
    }
    const [n, r, o] = [rate(t.node, series.files.length, bytes), rate(t.scp, series.files.length, bytes),
      rate(t.orthanc, series.files.length, bytes)];
    rows.push(`${parallel} assoc | node ${n.ips.toFixed(0)} inst/s ${n.mbps.toFixed(1)} MB/s | storescp ${r.ips.toFixed(0)} inst/s ${r.mbps.toFixed(1)} MB/s`
      + ` | orthanc ${o.ips.toFixed(0)} inst/s | node/storescp ${(n.ips / r.ips).toFixed(2)} | node/orthanc ${(n.ips / o.ips).toFixed(2)}`);
  }
  const peakRssMb = peakRss(node.child.pid!);
  node.child.kill('SIGTERM');
  orthanc.child.kill('SIGTERM');
  storescp.kill();
  console.log(`medians of ${RUNS} runs, TCP_NODELAY=1, receive PDU ${PDU} bytes; the node acknowledges only data fsynced in its receive journal`);
  for (const r of rows) console.log(r);
  console.log(`node peak RSS: ${peakRssMb.toFixed(0)} MB`);
  console.log(
    `machine: ${os.cpus().length} cores, load average ${median(loads).toFixed(1)} (1 min, median over the runs);`
    + ` overwrite 512 KiB + fdatasync on this disk: median ${median(syncs).toFixed(2)} ms`);
  fs.rmSync(work, { recursive: true, force: true });
}

function rate(times: number[], n: number, bytes: number) {
  const s = median(times);
  return { ips: n / s, mbps: bytes / 1e6 / s };
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

async function timeSend(port: number, aet: string, files: string[], parallel: number): Promise<number> {
  const groups = Array.from({ length: parallel }, (_, g) => files.filter((_, i) => i % parallel === g));
  const start = process.hrtime.bigint();
  await Promise.all(groups.map((g) => storescu(port, aet, g)));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** The disk's price of one durable acknowledgement: median of 20 overwrites of 512 KiB, each fdatasynced. */
function fdatasyncMs(work: string): number {
  const file = path.join(work, 'fdatasync-probe');
  const block = Buffer.alloc(512 * 1024, 1);
  const fd = fs.openSync(file, 'w+');
  try {
    for (let i = 0; i < 20; i++) fs.writeSync(fd, block, 0, block.length, i * block.length);
    fs.fsyncSync(fd);
    const t: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      fs.writeSync(fd, block, 0, block.length, i * block.length);
      fs.fdatasyncSync(fd);
      t.push(performance.now() - t0);
    }
    return median(t);
  } finally {
    fs.closeSync(fd);
  }
}

async function startOrthanc(work: string): Promise<{ port: number; child: ChildProcess }> {
  const [port, http] = [await freePort(), await freePort()];
  const dir = path.join(work, 'orthanc');
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    HttpPort: http, DicomPort: port, DicomAet: 'ORTHANC', StorageDirectory: dir, IndexDirectory: dir,
    HttpBindAddress: '127.0.0.1', RemoteAccessAllowed: false, AuthenticationEnabled: false, DicomAlwaysAllowStore: true,
    DicomCheckCalledAeTitle: false, MaximumPduLength: PDU,
  };
  fs.writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config));
  const child = spawn('Orthanc', [path.join(dir, 'orthanc.json')], { env, stdio: 'ignore' });
  await waitPort(port);
  return { port, child };
}

function storescu(port: number, aet: string, files: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('storescu', ['-aet', 'BENCH', '-aec', aet, '-R', '-xe', '127.0.0.1', String(port), ...files],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
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
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/src/main.js')],
    { env: { ...process.env, CONFIG_FILE: configFile }, stdio: 'inherit' });
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
