// `dicom-ai-node segment`: folder of DICOM files → the largest series the model applies to → the
// model (same worker pool as the server) → SEG + SR files and a one-line JSON summary.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EncodeError } from '../encode/errors.js';
import { encodeSegmentation, nothingSegmented } from '../encode/seg.js';
import { encodeMeasurementReport } from '../encode/sr.js';
import { loadModelRegistry, runModel, shutdown } from '../infer/index.js';
import { loadSeriesVolume } from '../infer/volume/index.js';
import { projectRoot } from '../paths.js';
import { scanPart10File } from '../store/header-scan.js';

export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}

interface CandidateSeries { seriesUid: string; modality: string; files: string[] }

export async function segmentFolder(flags: Record<string, string>) {
  const { model: modelId, input, output } = flags;
  if (!modelId || !input || !output) throw new UsageError('segment needs --model <id> --input <folder> --output <folder>');
  if (!fs.existsSync(input) || !fs.statSync(input).isDirectory()) throw new UsageError(`input folder ${input} does not exist`);
  const t0 = performance.now();
  const registry = await loadModelRegistry(flags.models ?? path.join(projectRoot, 'models'));
  try {
    const entry = registry.get(modelId);
    if (!entry) throw new UsageError(`no model "${modelId}"; available: ${registry.list().map((m) => m.id).join(', ')}`);
    if (entry.state !== 'ready' || !entry.manifest) throw Object.assign(new Error(`model "${modelId}" was refused: ${entry.error?.message}`), { code: entry.error?.code });
    const manifest = entry.manifest;
    const candidates = findSeries(input).filter((s) => manifest.applicability.modalities.includes(s.modality));
    if (candidates.length === 0) throw Object.assign(new Error(`no ${manifest.applicability.modalities.join('/')} series in ${input}`), { code: 'CLI_NO_SUITABLE_SERIES' });
    const series = candidates.sort((a, b) => b.files.length - a.files.length)[0];
    const tLoad = performance.now();
    const loaded = await loadSeriesVolume(series.files, { minSlices: manifest.applicability.minSlices });
    const tInfer = performance.now();
    const run = await runModel(registry, modelId, loaded.volume);
    const tEncode = performance.now();
    const algorithm = { ...manifest.algorithm, modelId: manifest.id };
    const job = { jobId: flags['job-id'] ?? `cli-${Date.now()}`, uidRoot: flags['uid-root'] ?? '2.25' };
    const labels = { dims: loaded.volume.dims, data: run.labels };
    const seg = segmentationOrAbsence(loaded.slices, labels, manifest.segments, algorithm, job);
    const intensities = seg.segments.length ? loaded.volume.data : undefined; // no statistics of absent segments
    const sr = encodeMeasurementReport(loaded.slices, seg, manifest.segments, algorithm, job, intensities);
    fs.mkdirSync(output, { recursive: true });
    // Nothing segmented: no SEG can exist (it needs a segment); the SR still reports every absence.
    if (seg.bytes.length) fs.writeFileSync(path.join(output, 'seg.dcm'), seg.bytes);
    fs.writeFileSync(path.join(output, 'sr.dcm'), sr.bytes);
    const tEnd = performance.now();
    return {
      model: modelId, version: manifest.version, provider: run.provider, seriesInstanceUid: loaded.seriesInstanceUid,
      slices: loaded.slices.length, segments: seg.segments.map(({ label, voxelCount, volumeMl }) => ({ label, voxelCount, volumeMl: Number(volumeMl.toFixed(2)) })),
      absent: seg.absent, seg: seg.bytes.length ? seg.sopInstanceUid : null, sr: sr.sopInstanceUid,
      timingsMs: { modelLoad: ms(tLoad - t0), seriesLoad: ms(tInfer - tLoad), inference: ms(tEncode - tInfer), encode: ms(tEnd - tEncode), total: ms(tEnd - t0) },
    };
  } finally {
    await shutdown(registry);
  }
}

function segmentationOrAbsence(...args: Parameters<typeof encodeSegmentation>) {
  try {
    return encodeSegmentation(...args);
  } catch (err) {
    if (err instanceof EncodeError && err.code === 'ENC_NOTHING_SEGMENTED') return nothingSegmented(args[2]);
    throw err;
  }
}

/** Groups the Part-10 files of a folder (recursively) by series; other files are skipped. */
function findSeries(dir: string): CandidateSeries[] {
  const bySeries = new Map<string, CandidateSeries>();
  for (const name of fs.readdirSync(dir, { recursive: true }).map(String)) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile()) continue;
    let values: Record<string, string>;
    try {
      values = scanPart10File(file).values;
    } catch {
      continue;
    }
    if (!values.SeriesInstanceUID) continue;
    const s = bySeries.get(values.SeriesInstanceUID) ?? { seriesUid: values.SeriesInstanceUID, modality: values.Modality ?? '', files: [] };
    s.files.push(file);
    bySeries.set(s.seriesUid, s);
  }
  return [...bySeries.values()];
}

const ms = (v: number) => Math.round(v);
