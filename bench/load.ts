// Compressed series-load benchmark (npm run bench:load): a synthetic 300×512² CT series stored in each
// compressed syntax, loaded by the node and decoded by the native tools on the same number of cores, in one run.
// Decoding share = compressed load − uncompressed load of the same series; the target is ≤ 1.3× the native time.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { encapsulatedFrames } from '../src/infer/volume/fragments.js';
import { loadSeriesVolume } from '../src/infer/volume/index.js';
import { TransferSyntax, writeSyntheticCtSeries } from '../src/synthetic/index.js';
import { j2kCompress, opjLane, quote } from './load-j2k.js';

const run = promisify(execFile);
const SLICES = Number(process.env.BENCH_SLICES ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** the loader's helper threads (index.ts: at most 4, one per core), and as many native processes */
const CORES = Math.min(4, os.availableParallelism());

interface Syntax {
  name: string;
  ts: string;
  /** how the series is made from the uncompressed one (DCMTK; OpenJPEG's opj_compress for J2K) */
  compress(src: string, dst: string, scratch: string): Promise<void>;
  /** the shell command that decodes one lane of files natively (one lane per core) */
  nativeLane(files: string[], out: string): string;
  nativeTool: string;
}

const dcmtkCompress = (tool: string, ...opts: string[]) => async (src: string, dst: string): Promise<void> => {
  await run(tool, [...opts, src, dst]);
};
/** one DCMTK process per file, started by the shell (a fork of this big process would cost more than the decode) */
const dcmtkLane = (tool: string, ...opts: string[]) => (files: string[], out: string): string =>
  `for f in ${files.map(quote).join(' ')}; do ${tool} ${opts.join(' ')} "$f" ${quote(out)}/"$(basename "$f")" || exit 1; done`;

const SYNTAXES: Syntax[] = [
  { name: 'JPEG 2000 lossless', ts: TransferSyntax.jpeg2000Lossless, compress: j2kCompress, nativeLane: opjLane,
    nativeTool: 'opj_decompress' },
  { name: 'JPEG-LS lossless', ts: TransferSyntax.jpegLsLossless, compress: dcmtkCompress('dcmcjpls', '+el'),
    nativeLane: dcmtkLane('dcmdjpls'), nativeTool: 'dcmdjpls' },
  { name: 'JPEG lossless SV1', ts: TransferSyntax.jpegLossless, compress: dcmtkCompress('dcmcjpeg', '+e1'),
    nativeLane: dcmtkLane('dcmdjpeg'), nativeTool: 'dcmdjpeg' },
  { name: 'RLE lossless', ts: TransferSyntax.rle, compress: dcmtkCompress('dcmcrle'), nativeLane: dcmtkLane('dcmdrle'),
    nativeTool: 'dcmdrle' },
];
/** the same DCMTK process per file without decoding: start-up, parse and write, to tell the decoding apart */
const dcmconvLane = dcmtkLane('dcmconv', '+te');

/** Wall time, and CPU time (user + system) summed over every thread or process, in ms. */
interface Took { wall: number; cpu: number }

/**
 * One lane of `files` per core, all in parallel; the decoding commands alone are timed (bash `times`: CPU of children).
 */
async function lanes(files: string[], scratch: string, lane: (files: string[], out: string) => string): Promise<Took> {
  const per = Math.ceil(files.length / CORES);
  const outs = Array.from({ length: CORES }, (_, n) => fs.mkdtempSync(path.join(scratch, `lane${n}-`)));
  const commands = outs.map((out, n) => `{ ${lane(files.slice(n * per, (n + 1) * per), out)} ; } && times`);
  const start = performance.now();
  const results = await Promise.all(commands.map((command) => run('bash', ['-c', command], { maxBuffer: 2 ** 26 })));
  const wall = performance.now() - start;
  for (const out of outs) fs.rmSync(out, { recursive: true, force: true });
  const cpu = results.reduce((sum, { stdout }) => {
    const children = stdout.trim().split('\n').at(-1)!.split(' ').map((t) => /(\d+)m([\d.]+)s/.exec(t)!);
    return sum + children.reduce((s2, m) => s2 + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
  }, 0);
  return { wall, cpu };
}

async function timedLoad(files: string[]): Promise<{ took: Took; data: Float32Array }> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const series = await loadSeriesVolume(files, { threads: CORES });
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0); // the whole process: the helper threads' time included
  return { took: { wall, cpu: (cpu.user + cpu.system) / 1000 }, data: series.volume.data };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let n = 0; n < a.length; n++) max = Math.max(max, Math.abs(a[n]! - b[n]!));
  return max;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  const tools =
    ['opj_compress', 'opj_decompress', 'dcmcjpls', 'dcmdjpls', 'dcmcjpeg', 'dcmdjpeg', 'dcmcrle', 'dcmdrle', 'dcmconv'];
  await run('bash', ['-c', tools.map((t) => `command -v ${t} >/dev/null`).join(' && ')]).catch(() => {
    throw new Error(`bench:load needs ${tools.join(', ')} (apt-get install libopenjp2-tools dcmtk)`);
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  try {
    const t0 = performance.now();
    const written = await writeSyntheticCtSeries(path.join(work, 'native'), { slices: SLICES, shuffle: true });
    written.phantom.hu = new Int16Array(0);
    const native = written.files;
    const series = new Map<string, string[]>();
    for (const s of SYNTAXES) {
      const dir = path.join(work, s.ts);
      fs.mkdirSync(dir);
      const files = native.map((f) => path.join(dir, path.basename(f)));
      const per = Math.ceil(native.length / CORES);
      await Promise.all(Array.from({ length: CORES }, async (_, lane) => {
        for (let n = lane * per; n < Math.min(native.length, (lane + 1) * per); n++)
          await s.compress(native[n]!, files[n]!, dir);
      }));
      // the loader's own frame finder must take these files, not its dcmjs fallback
      if (!encapsulatedFrames(fs.readFileSync(files[0]!), 1))
        throw new Error(`${s.name}: frames not found in ${files[0]}`);
      series.set(s.ts, files);
    }
    console.log(`series: ${SLICES} × 512² CT (synthetic phantom, ±10 HU noise), made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const times = new Map<string, Took[]>();
    const add = (key: string, took: Took): void => void times.set(key, [...(times.get(key) ?? []), took]);
    const worst = new Map<string, number>();
    for (let r = 0; r < RUNS; r++) {
      const reference = await timedLoad(native);
      add('native', reference.took);
      add('dcmconv', await lanes(native, work, dcmconvLane));
      for (const s of SYNTAXES) {
        const loaded = await timedLoad(series.get(s.ts)!);
        add(`node ${s.ts}`, loaded.took);
        worst.set(s.ts, Math.max(worst.get(s.ts) ?? 0, maxDifference(loaded.data, reference.data)));
        add(`tool ${s.ts}`, await lanes(series.get(s.ts)!, work, s.nativeLane));
      }
      const last = (key: string): string => seconds(times.get(key)!.at(-1)!.wall);
      console.log(`run ${r + 1} (wall): uncompressed ${last('native')}, dcmconv ${last('dcmconv')}; `
        + SYNTAXES.map((s) => `${s.nativeTool.replace(/^dcmd|_decompress$/g, '')} node ${last(`node ${s.ts}`)}, native ${last(`tool ${s.ts}`)}`).join('; '));
    }
    report(times, worst);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Wall: the best of the runs, the least disturbed on a shared machine. CPU: the median; on an otherwise idle
 * machine with every core busy, wall ≈ CPU / cores, so the CPU ratio is the one that other load barely moves.
 */
function report(times: Map<string, Took[]>, worst: Map<string, number>): void {
  const best = (key: string): number => Math.min(...times.get(key)!.map((t) => t.wall));
  const cpu = (key: string): number => median(times.get(key)!.map((t) => t.cpu));
  console.log(`${RUNS} runs; node: loadSeriesVolume, ${CORES} helper threads; native: ${CORES} processes in parallel`);
  console.log(`uncompressed (explicit VR LE) load: wall ${seconds(best('native'))}, CPU ${seconds(cpu('native'))}; `
    + `DCMTK dcmconv +te over the same files (start-up, parse, write; no decoding): wall ${seconds(best('dcmconv'))}, CPU ${seconds(cpu('dcmconv'))}`);
  console.log(
    'syntax              | node load | decoding share | native decoder          | ratio | CPU: share, native, ratio'
    + ' | CPU ratio to native less dcmconv | max |Δ|');
  for (const s of SYNTAXES) {
    const share = best(`node ${s.ts}`) - best('native');
    const cpuShare = cpu(`node ${s.ts}`) - cpu('native');
    const tool = best(`tool ${s.ts}`);
    console.log([
      s.name.padEnd(19), seconds(best(`node ${s.ts}`)).padStart(9), seconds(share).padStart(14),
      `${s.nativeTool} ${seconds(tool)}`.padEnd(23), (share / tool).toFixed(2).padStart(5),
      `${seconds(cpuShare)}, ${seconds(cpu(`tool ${s.ts}`))}, ${(cpuShare / cpu(`tool ${s.ts}`)).toFixed(2)}`.padEnd(25),
      // opj_decompress reads codestreams in one process: nothing to take off
      (s.nativeTool === 'opj_decompress'
        ? '—' : (cpuShare / (cpu(`tool ${s.ts}`) - cpu('dcmconv'))).toFixed(2)).padEnd(32),
      String(worst.get(s.ts)),
    ].join(' | '));
  }
  console.log(
    'decoding share = compressed load − uncompressed load; target ratio ≤ 1.3. DCMTK tools start once per file;'
    + ' dcmconv shows what start-up and file I/O alone cost them');
}

await main();
