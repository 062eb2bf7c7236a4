// Benchmark: SEG + SR for a 300-slice 512×512 CT with 3 segments (headers, labels and HU built in memory,
// deterministic). Prints encode time for SEG and SR in this thread (first call in the process, then a warm second
// call as a long-lived worker sees it) and peak RSS; then, as the pipeline runs them (fresh one-shot workers,
// start-up included), `oneWorker`: SEG then SR with its statistics in one worker (the encode stage before the
// statistics got their own worker) and `parallel`: SEG ∥ statistics on two workers, then the SR; the two are
// interleaved so load on a shared machine hits both alike. Target: < 1 s total, < 300 MB.
// `--volume-only`: no HU volume (SR carries volumes only), so RSS is not dominated by the 315 MB Float32 input.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { encodeSegmentation } from '../src/encode/seg.js';
import { encodeMeasurementReport } from '../src/encode/sr.js';
import type { AlgorithmIdentity, JobIdentity, SegmentDescription, SourceSlice } from '../src/encode/types.js';

const COLS = 512, ROWS = 512, SLICES = 300;
const anatomy = { scheme: 'SCT', value: '91723000', meaning: 'Anatomical structure' };
const allMeasurements: SegmentDescription[] = [
  { labelValues: [1, 2, 3], label: 'Body', category: anatomy, type: { scheme: 'SCT', value: '123037004',
    meaning: 'Body structure' }, colorRgb: [200, 150, 100], measurements: ['volume', 'mean', 'stdDev', 'min', 'max'] },
  { labelValues: [2], label: 'Lung', category: anatomy, type: { scheme: 'SCT', value: '39607008', meaning: 'Lung' },
    colorRgb: [128, 174, 128], measurements: ['volume', 'mean'] },
  { labelValues: [3], label: 'Liver', category: anatomy, type: { scheme: 'SCT', value: '10200004', meaning: 'Liver' },
    colorRgb: [221, 130, 101], measurements: ['volume', 'mean'] },
];
const algorithm: AlgorithmIdentity = { name: 'BenchSeg', version: '1.0.0', modelId: 'bench',
  family: { scheme: 'DCM', value: '123110', meaning: 'Artificial Intelligence' } };
const job: JobIdentity = { jobId: 'bench-job', uidRoot: '2.25' };

function sources(): SourceSlice[] {
  return Array.from({ length: SLICES }, (_, k) => {
    const sop = `2.25.4242.3.${k + 1}`;
    return { sopInstanceUid: sop, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', dataset: {
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: sop, Modality: 'CT',
      PatientName: [{ Alphabetic: 'Bench^Patient' }], PatientID: 'BENCH', StudyInstanceUID: '2.25.4242.1',
      SeriesInstanceUID: '2.25.4242.2', FrameOfReferenceUID: '2.25.4242.4',
      StudyDate: '20240101', StudyTime: '120000', AccessionNumber: 'A1', StudyID: '1', ReferringPhysicianName: [],
      Rows: ROWS, Columns: COLS, PixelSpacing: [0.7, 0.7], SliceThickness: 1,
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0], ImagePositionPatient: [-179, -179, -k], InstanceNumber: k + 1,
    } };
  });
}

/** Ellipse body on every slice, two lungs in slices 100–219, a liver block in slices 40–139; on shared memory,
 *  as the loader and the model hand them to the encode stage. */
function volume(withHu: boolean): { labels: Uint8Array; hu?: Float32Array } {
  const labels = new Uint8Array(new SharedArrayBuffer(COLS * ROWS * SLICES));
  const hu = withHu ? new Float32Array(new SharedArrayBuffer(labels.length * 4)).fill(-1000) : undefined;
  for (let k = 0; k < SLICES; k++) {
    for (let j = 0; j < ROWS; j++) {
      for (let i = 0; i < COLS; i++) {
        const v = i + COLS * (j + ROWS * k);
        const x = (i - 256) / 220, y = (j - 256) / 160;
        if (x * x + y * y > 1) continue;
        const lung = k >= 100 && k < 220 && Math.abs(i - 256) > 30 && Math.abs(i - 256) < 150 && Math.abs(j - 230) < 90;
        const liver = k >= 40 && k < 140 && i > 120 && i < 250 && j > 280 && j < 380;
        labels[v] = lung ? 2 : liver ? 3 : 1;
        if (hu) hu[v] = lung ? -850 + ((i * 7 + j) % 50) : liver ? 60 + ((i + k) % 20) : 20 + ((i * j) % 40);
      }
    }
  }
  return { labels, hu };
}

interface Inputs { src: SourceSlice[]; labels: Uint8Array; hu?: Float32Array; segments: SegmentDescription[] }

/** Wall time, and CPU time of this process (on a shared machine wall time includes waiting for a core). */
function encodeOnce({ src, labels, hu, segments }: Inputs) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const seg = encodeSegmentation(src, { dims: [COLS, ROWS, SLICES], data: labels }, segments, algorithm, job);
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const sr = encodeMeasurementReport(src, seg, segments, algorithm, job, hu);
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  return {
    segMs: Math.round(t1 - t0), srMs: Math.round(t2 - t1), segCpuMs: cpuMs(c0, c1), srCpuMs: cpuMs(c1, c2),
    segBytes: seg.bytes, srBytes: sr.bytes, segments: seg.segments.length,
  };
}

/** The encode stage as it ran before: one fresh worker, SEG then SR (statistics inside the SR). */
async function encodeInOneWorker(inputs: Inputs) {
  const c0 = process.cpuUsage();   // all threads of the process
  const t0 = performance.now();
  const inside = await new Promise<ReturnType<typeof encodeOnce>>((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: inputs });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const wallMs = Math.round(performance.now() - t0);
  return { wallMs, segMs: inside.segMs, srMs: inside.srMs, startupMs: wallMs - inside.segMs - inside.srMs,
    cpuMs: cpuMs(c0, process.cpuUsage()) };
}

/** The pipeline's encode stage now: wall time from request to SEG+SR bytes, and where the time went in the workers. */
async function encodeInParallel({ src, labels, hu, segments }: Inputs) {
  // loaded here, not at the top: the one-worker baseline loads this file and should load only the encoders
  const { encodeInWorkers } = await import('../src/jobs/segment-series.js');
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await encodeInWorkers({
    slices: src, labels: { dims: [COLS, ROWS, SLICES], data: labels }, segments, algorithm, job,
    intensities: hu ?? new Float32Array(new SharedArrayBuffer(labels.length * 4)),
  });
  const wallMs = Math.round(performance.now() - t0);
  // start-up: worker starts, module loading, cloning the headers in and the bytes out
  const startupMs = wallMs - out.timings.segMs - out.timings.waitMs - out.timings.srMs;
  return { wallMs, ...out.timings, startupMs, cpuMs: cpuMs(c0, process.cpuUsage()) };
}

function cpuMs(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number {
  return Math.round((b.user - a.user + b.system - a.system) / 1000);
}

async function main(): Promise<void> {
  const volumeOnly = process.argv.includes('--volume-only');
  // without HU the SR carries volumes only, in every path
  const measured = volumeOnly
    ? allMeasurements.map((s) => ({ ...s, measurements: ['volume' as const] })) : allMeasurements;
  const inputs: Inputs = { src: sources(), ...volume(!volumeOnly), segments: measured };
  const rssBeforeMb = process.memoryUsage().rss / 1024 / 1024;
  const cold = encodeOnce(inputs);
  const warm = encodeOnce(inputs);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;   // maxRSS is in kilobytes
  const oneWorker = [], parallel = [];
  for (let run = 0; run < 3; run++) {
    oneWorker.push(await encodeInOneWorker(inputs));
    parallel.push(await encodeInParallel(inputs));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(JSON.stringify({
    event: 'bench_encode', slices: SLICES, cols: COLS, rows: ROWS, segments: cold.segments, withHu: !volumeOnly,
    cold: { segMs: cold.segMs, srMs: cold.srMs, totalMs: cold.segMs + cold.srMs, cpuMs: cold.segCpuMs + cold.srCpuMs },
    warm: { segMs: warm.segMs, srMs: warm.srMs, totalMs: warm.segMs + warm.srMs, cpuMs: warm.segCpuMs + warm.srCpuMs },
    oneWorker, parallel,
    medianWallMs: { oneWorker: median(oneWorker.map((r) => r.wallMs)),
      parallel: median(parallel.map((r) => r.wallMs)) },
    segBytes: cold.segBytes.length, srBytes: cold.srBytes.length,
    inputsMb: Math.round((inputs.labels.byteLength + (inputs.hu?.byteLength ?? 0)) / 1024 / 1024),
    rssBeforeEncodeMb: Math.round(rssBeforeMb), peakRssMb: Math.round(peakRssMb),
    encodeAddedMb: Math.round(peakRssMb - rssBeforeMb),
    peakRssWithWorkersMb: Math.round(process.resourceUsage().maxRSS / 1024),
    targetMs: 1000, targetRssMb: 300,
  }));
}

if (isMainThread) await main();
else parentPort!.postMessage(encodeOnce(workerData as Inputs));   // the one-worker baseline, bytes included as before
