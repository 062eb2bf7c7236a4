// Compressed series-load benchmark (npm run bench:load): a synthetic 300×512² CT series stored in each
// compressed syntax, loaded by the node and decoded by the native tools on the same number of cores, in one run.
// Decoding share = compressed load − uncompressed load of the same series; the target is ≤ 1.3× the native time.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dcmjs } from '../src/infer/volume/dcm.js';
import { loadSeriesVolume } from '../src/infer/volume/index.js';
import { scanPart10Bytes } from '../src/store/header-scan.js';
import { TransferSyntax, writeSyntheticCtSeries } from '../src/synthetic/index.js';

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
  /** the native decoder over one lane of files (one process per core) */
  nativeDecode(files: string[], out: string): Promise<void>;
  nativeTool: string;
}

const dcmtkCompress = (tool: string, ...opts: string[]) => async (src: string, dst: string): Promise<void> => {
  await run(tool, [...opts, src, dst]);
};
const dcmtkDecode = (tool: string) => async (files: string[], out: string): Promise<void> => {
  for (const [n, f] of files.entries()) await run(tool, [f, path.join(out, `${n}.dcm`)]);
};

const SYNTAXES: Syntax[] = [
  { name: 'JPEG 2000 lossless', ts: TransferSyntax.jpeg2000Lossless, compress: j2kCompress, nativeDecode: opjDecode, nativeTool: 'opj_decompress' },
  { name: 'JPEG-LS lossless', ts: TransferSyntax.jpegLsLossless, compress: dcmtkCompress('dcmcjpls', '+el'), nativeDecode: dcmtkDecode('dcmdjpls'), nativeTool: 'dcmdjpls' },
  { name: 'JPEG lossless SV1', ts: TransferSyntax.jpegLossless, compress: dcmtkCompress('dcmcjpeg', '+e1'), nativeDecode: dcmtkDecode('dcmdjpeg'), nativeTool: 'dcmdjpeg' },
  { name: 'RLE lossless', ts: TransferSyntax.rle, compress: dcmtkCompress('dcmcrle'), nativeDecode: dcmtkDecode('dcmdrle'), nativeTool: 'dcmdrle' },
];

/** J2K: opj_compress (default: lossless 5/3, 6 resolutions) on the raw frame; the codestream wrapped as one fragment. */
async function j2kCompress(src: string, dst: string, scratch: string): Promise<void> {
  const bytes = fs.readFileSync(src);
  const at = scanPart10Bytes(bytes).pixelData!;
  const base = path.join(scratch, path.basename(src, '.dcm'));
  fs.writeFileSync(`${base}.rawl`, bytes.subarray(at.valueAt, at.valueAt + at.length));
  await run('opj_compress', ['-i', `${base}.rawl`, '-F', '512,512,1,16,s', '-o', `${base}.j2k`]);
  fs.rmSync(`${base}.rawl`);
  fs.writeFileSync(dst, encapsulate(bytes.subarray(0, at.valueAt - 12), fs.readFileSync(`${base}.j2k`)));
}

/** Header of the native file re-written under the J2K syntax, then (7FE0,0010) OB: empty offset table, one fragment. */
function encapsulate(header: Buffer, codestream: Buffer): Buffer {
  const msg = dcmjs.data.DicomMessage.readFile(new Uint8Array(header).buffer, { untilTag: '7FE00010' });
  msg.meta['00020010'] = { vr: 'UI', Value: [TransferSyntax.jpeg2000Lossless] };
  const out = new dcmjs.data.DicomDict(msg.meta);
  out.dict = msg.dict;
  const fragment = Buffer.concat([codestream, Buffer.alloc(codestream.length % 2)]);
  const element = Buffer.alloc(12 + 8 + 8 + 8);
  element.writeUInt32LE(0x00107fe0, 0);
  element.write('OB', 4, 'latin1');
  element.writeUInt32LE(0xffffffff, 8);
  element.writeUInt32LE(0xe000fffe, 12);
  element.writeUInt32LE(0xe000fffe, 20);
  element.writeUInt32LE(fragment.length, 24);
  const delimiter = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  return Buffer.concat([Buffer.from(out.write()), element.subarray(0, 28), fragment, delimiter]);
}

/** opj_decompress over a folder of the series' codestreams (one process, no per-frame start-up). */
async function opjDecode(files: string[], out: string): Promise<void> {
  for (const f of files) fs.copyFileSync(f.replace(/\.dcm$/, '.j2k'), path.join(out, path.basename(f, '.dcm') + '.j2k'));
  await run('opj_decompress', ['-ImgDir', out, '-OutFor', 'RAWL', '-quiet'], { maxBuffer: 64 * 2 ** 20 });
}

/** `work` over CORES lanes of `files` in parallel; returns the wall time in ms. */
async function lanes(files: string[], scratch: string, work: (files: string[], out: string) => Promise<void>): Promise<number> {
  const per = Math.ceil(files.length / CORES);
  const outs = Array.from({ length: CORES }, (_, n) => fs.mkdtempSync(path.join(scratch, `lane${n}-`)));
  const start = performance.now();
  await Promise.all(outs.map((out, n) => work(files.slice(n * per, (n + 1) * per), out)));
  const ms = performance.now() - start;
  for (const out of outs) fs.rmSync(out, { recursive: true, force: true });
  return ms;
}

async function timedLoad(files: string[]): Promise<{ ms: number; data: Float32Array }> {
  const start = performance.now();
  const series = await loadSeriesVolume(files, { threads: CORES });
  return { ms: performance.now() - start, data: series.volume.data };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let n = 0; n < a.length; n++) max = Math.max(max, Math.abs(a[n]! - b[n]!));
  return max;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
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
        for (let n = lane * per; n < Math.min(native.length, (lane + 1) * per); n++) await s.compress(native[n]!, files[n]!, dir);
      }));
      series.set(s.ts, files);
    }
    console.log(`series: ${SLICES} × 512² CT (synthetic phantom, ±10 HU noise), made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const times = new Map<string, number[]>();
    const add = (key: string, ms: number): void => void times.set(key, [...(times.get(key) ?? []), ms]);
    const worst = new Map<string, number>();
    for (let r = 0; r < RUNS; r++) {
      const reference = await timedLoad(native);
      add('native', reference.ms);
      add('dcmconv', await lanes(native, work, async (files, out) => {
        for (const [n, f] of files.entries()) await run('dcmconv', ['+te', f, path.join(out, `${n}.dcm`)]);
      }));
      for (const s of SYNTAXES) {
        const loaded = await timedLoad(series.get(s.ts)!);
        add(`node ${s.ts}`, loaded.ms);
        worst.set(s.ts, Math.max(worst.get(s.ts) ?? 0, maxDifference(loaded.data, reference.data)));
        add(`tool ${s.ts}`, await lanes(series.get(s.ts)!, work, s.nativeDecode));
      }
    }

    const uncompressed = median(times.get('native')!);
    const dcmconv = median(times.get('dcmconv')!);
    console.log(`medians of ${RUNS} runs; node: loadSeriesVolume with ${CORES} helper threads; native: ${CORES} processes in parallel`);
    console.log(`uncompressed (explicit VR LE) load: ${(uncompressed / 1000).toFixed(2)} s; DCMTK dcmconv +te over the same files (I/O and start-up, no decoding): ${(dcmconv / 1000).toFixed(2)} s`);
    for (const s of SYNTAXES) {
      const node = median(times.get(`node ${s.ts}`)!);
      const tool = median(times.get(`tool ${s.ts}`)!);
      const share = node - uncompressed;
      const strict = s.nativeTool === 'opj_decompress' ? tool : tool - dcmconv;
      console.log([
        `${s.name.padEnd(19)} | node ${(node / 1000).toFixed(2)} s, decoding share ${(share / 1000).toFixed(2)} s`,
        `${s.nativeTool} ${(tool / 1000).toFixed(2)} s | ratio ${(share / tool).toFixed(2)}`,
        `native less start-up/I-O ${(strict / 1000).toFixed(2)} s, ratio ${(share / strict).toFixed(2)}`,
        `max |Δ| vs uncompressed ${worst.get(s.ts)}`,
      ].join(' | '));
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
