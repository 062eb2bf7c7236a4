// The encode stage as the pipeline runs it (SEG on one worker, HU statistics on a second, then the SR), checked
// against the in-process encoders on the real 3-slice CT: same bytes, same statistics, same coded errors.
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readPart10, type NaturalDataset } from '../../../src/encode/dicom-io.js';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import { encodeMeasurementReport } from '../../../src/encode/sr.js';
import { encodeInWorkers } from '../../../src/jobs/segment-series.js';
import type { EncodeRequest } from '../../../src/jobs/encode-worker.js';
import { algorithm, bodyLungLiver, job, loadSeries, realData, type LoadedSeries } from '../encode/fixtures.js';

let series: LoadedSeries;
let request: EncodeRequest;

/** body = HU > -200 or lung; lung = -900 < HU < -400 (label 2); label 3 (liver) never written → absent */
function thresholdLabels(hu: Float32Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(hu.length));
  for (let v = 0; v < hu.length; v++) out[v] = hu[v] > -200 ? 1 : hu[v] > -900 && hu[v] < -400 ? 2 : 0;
  return out;
}

/** Headers as the volume loader hands them over: plain values (dcmjs decorates its arrays with functions that
 *  structured clone refuses). */
function plainHeaders(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof ArrayBuffer || ArrayBuffer.isView(value))
    return value;
  if (Array.isArray(value)) return Array.from(value, plainHeaders);
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => typeof v !== 'function').map(([k, v]) => [k, plainHeaders(v)]));
}

function onSharedMemory(hu: Float32Array): Float32Array {
  const shared = new Float32Array(new SharedArrayBuffer(hu.byteLength));
  shared.set(hu);
  return shared;
}

/** The instant an object says it was created (seconds, UTC), so the in-process encoder can be run at that instant. */
function createdAt(bytes: Uint8Array): Date {
  const { dataset } = readPart10(bytes);
  const [d, t] = [String(dataset.InstanceCreationDate), String(dataset.InstanceCreationTime)];
  return new Date(Date.UTC(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4),
    +t.slice(4, 6)));
}

function at<T>(instant: Date, work: () => T): T {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(instant);
  try { return work(); } finally { vi.useRealTimers(); }
}

function floatingPointValues(item: NaturalDataset, out: number[] = []): number[] {
  for (const m of (item.MeasuredValueSequence as NaturalDataset[] | undefined) ?? [])
    out.push(Number(m.FloatingPointValue));
  for (const child of (item.ContentSequence as NaturalDataset[] | undefined) ?? []) floatingPointValues(child, out);
  return out;
}

beforeAll(() => {
  const loaded = loadSeries(path.join(realData, 'dcmqi-ct3'));
  series = { ...loaded, sources: plainHeaders(loaded.sources) as LoadedSeries['sources'] };
  request = {
    slices: series.sources, labels: { dims: [series.cols, series.rows, 3], data: thresholdLabels(series.hu) },
    segments: bodyLungLiver, algorithm, job, intensities: onSharedMemory(series.hu),
  };
});
afterEach(() => { vi.useRealTimers(); });

describe('encodeInWorkers', () => {
  it('writes the SEG and SR bytes the in-process encoders write for the same inputs, statistics included', async () => {
    const out = await encodeInWorkers(request);
    const labels = request.labels;
    const seg = at(createdAt(out.seg.bytes),
      () => encodeSegmentation(series.sources, labels, bodyLungLiver, algorithm, job));
    expect(Buffer.compare(out.seg.bytes, seg.bytes)).toBe(0);
    const sr = at(createdAt(out.sr.bytes),
      () => encodeMeasurementReport(series.sources, seg, bodyLungLiver, algorithm, job, series.hu));
    expect(out.sr.bytes.length).toBe(sr.bytes.length);
    expect(Buffer.compare(out.sr.bytes, sr.bytes)).toBe(0);

    // the statistics really are in it: Body's HU mean summed here voxel by voxel (Body = labels 1 and 2)
    let n = 0, sum = 0;
    labels.data.forEach((l, v) => { if (l === 1 || l === 2) { n++; sum += series.hu[v]; } });
    expect(n).toBeGreaterThan(0);
    const values = floatingPointValues(readPart10(out.sr.bytes).dataset);
    expect(values.some((x) => Math.abs(x - sum / n) < 1e-6)).toBe(true);
    expect(out.timings.statsMs).toBeGreaterThanOrEqual(0);
    expect(out.timings.segMs).toBeGreaterThanOrEqual(0);
  });

  it('moves inputs on plain ArrayBuffers to shared memory and gives the same result', async () => {
    const plain = { ...request, labels: { ...request.labels, data: Uint8Array.from(request.labels.data) },
      intensities: Float32Array.from(series.hu) };
    expect(plain.intensities.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    const [a, b] = await Promise.all([encodeInWorkers(plain), encodeInWorkers(request)]);
    expect(a.seg.segments).toEqual(b.seg.segments);
    const dump = (bytes: Uint8Array) => floatingPointValues(readPart10(bytes).dataset);
    expect(dump(a.sr.bytes)).toEqual(dump(b.sr.bytes));
  });
});

describe('the quality check in the encode worker', () => {
  it('measures on the grid the SEG uses: the SEG\'s volume, the in-plane border, every failed check named', async () => {
    const ps = (series.sources[0].dataset.PixelSpacing as number[]).map(Number);
    const z = (k: number) => (series.sources[k].dataset.ImagePositionPatient as number[]).map(Number);
    const sliceMm = Math.hypot(...z(1).map((v, i) => v - z(0)[i]));
    const spacing: [number, number, number] = [ps[1], ps[0], sliceMm];
    const segments = bodyLungLiver.map((s) =>
      (s.label === 'Body' ? { ...s, checks: { volumeMl: { max: 1 }, maxBorderFraction: 0 } } : s));
    const out = await encodeInWorkers({ ...request, segments, spacing });
    expect(out.qc.state).toBe('failed');
    expect(out.qc.reasons.map((r) => [r.segment, r.check])).toEqual(
      [['Body', 'volumeMl.max'], ['Body', 'maxBorderFraction']]);
    const body = out.qc.measurements.find((m) => m.segment === 'Body')!;
    const segBody = out.seg.segments.find((s) => s.label === 'Body')!;
    expect(body.volumeMl).toBeCloseTo(segBody.volumeMl, 6);
    // the border counted here on [columns, rows, slices]: first and last row and column of every slice
    const { cols, rows } = series;
    let inBody = 0, onBorder = 0;
    request.labels.data.forEach((l, v) => {
      if (l !== 1 && l !== 2) return;
      inBody++;
      const i = v % cols, j = Math.floor(v / cols) % rows;
      if (i === 0 || j === 0 || i === cols - 1 || j === rows - 1) onBorder++;
    });
    expect(body.voxels).toBe(inBody);
    expect(body.borderFraction).toBeCloseTo(onBorder / inBody, 12);
    expect(body.volumeMlPerCm).toBeCloseTo(body.volumeMl / ((3 * sliceMm) / 10), 9);
  });

  it('is none without checks or without the grid spacing', async () => {
    expect((await encodeInWorkers(request)).qc).toEqual({ state: 'none', reasons: [], measurements: [] });
  });
});

describe('encodeInWorkers rejects with the encoders\' codes', () => {
  it('ENC_INTENSITIES from the statistics worker; the SEG worker\'s ENC_LABEL_DIMS first when both fail', async () => {
    await expect(encodeInWorkers({ ...request, intensities: new Float32Array(new SharedArrayBuffer(20)) }))
      .rejects.toMatchObject({ name: 'EncodeError', code: 'ENC_INTENSITIES' });
    const shortLabels =
      { dims: [4, 3, 2] as [number, number, number], data: new Uint8Array(new SharedArrayBuffer(24)).fill(1) };
    await expect(encodeInWorkers({ ...request, labels: shortLabels })).rejects.toMatchObject(
      { code: 'ENC_LABEL_DIMS' });
  });

  it('nothing segmented: the SR reports every absence and the statistics (even a wrong-sized volume) are not asked for', async () => {
    const empty = { ...request.labels, data: new Uint8Array(new SharedArrayBuffer(request.labels.data.length)) };
    const out = await encodeInWorkers(
      { ...request, labels: empty, intensities: new Float32Array(new SharedArrayBuffer(20)) });
    expect(out.seg.bytes.length).toBe(0);
    expect(out.seg.absent).toEqual(['Body', 'Lung', 'Liver']);
    expect(floatingPointValues(readPart10(out.sr.bytes).dataset)).toEqual([]);
  });

  it('ENC_WORKER_FAILED when the request cannot reach a worker', async () => {
    const unclonable = { ...request, job: { ...job, onDone: () => undefined } } as unknown as EncodeRequest;
    await expect(encodeInWorkers(unclonable)).rejects.toMatchObject({ code: 'ENC_WORKER_FAILED' });
  });
});
