// `dicom-ai-node segment`: folder of DICOM files → the largest series the model applies to → the
// model (the runner's own pipeline: segmentSeries) → SEG + SR files and a one-line JSON summary.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModelRegistry, shutdown } from '../infer/index.js';
import { segmentSeries, type PipelineStage } from '../jobs/segment-series.js';
import { projectRoot } from '../paths.js';
import { scanPart10File } from '../dicom/header-scan.js';

export type CliErrorCode = 'CLI_USAGE' | 'CLI_NO_SUITABLE_SERIES';

export class UsageError extends Error {
  readonly code: CliErrorCode = 'CLI_USAGE';
}

interface CandidateSeries { seriesUid: string; modality: string; files: string[] }

export async function segmentFolder(flags: Record<string, string>) {
  const { model: modelId, input, output } = flags;
  if (!modelId || !input || !output) throw new UsageError(
    'segment needs --model <id> --input <folder> --output <folder>');
  if (!fs.existsSync(input) || !fs.statSync(input).isDirectory()) throw new UsageError(
    `input folder ${input} does not exist`);
  const t0 = performance.now();
  const registry = await loadModelRegistry(flags.models ?? path.join(projectRoot, 'models'));
  try {
    const entry = registry.get(modelId);
    if (!entry) throw new UsageError(
      `no model "${modelId}"; available: ${registry.list().map((m) => m.id).join(', ')}`);
    if (entry.state !== 'ready' || !entry.manifest) throw Object.assign(
      new Error(`model "${modelId}" was refused: ${entry.error?.message}`), { code: entry.error?.code });
    const manifest = entry.manifest;
    const candidates = findSeries(input).filter((s) => manifest.applicability.modalities.includes(s.modality));
    if (candidates.length === 0) throw Object.assign(
      new Error(`no ${manifest.applicability.modalities.join('/')} series in ${input}`),
      { code: 'CLI_NO_SUITABLE_SERIES' satisfies CliErrorCode });
    const series = candidates.sort((a, b) => b.files.length - a.files.length)[0];
    const tPipeline = performance.now();
    const stageMs: Partial<Record<PipelineStage, number>> = {};
    const job = { jobId: flags['job-id'] ?? `cli-${Date.now()}`, uidRoot: flags['uid-root'] ?? '2.25' };
    const result = await segmentSeries(registry, modelId, series.files, job, (t) => { stageMs[t.stage] = t.ms; });
    const { seg, sr } = result;
    fs.mkdirSync(output, { recursive: true });
    // Nothing segmented: no SEG can exist (it needs a segment); the SR still reports every absence.
    if (seg.bytes.length) fs.writeFileSync(path.join(output, 'seg.dcm'), seg.bytes);
    fs.writeFileSync(path.join(output, 'sr.dcm'), sr.bytes);
    const tEnd = performance.now();
    return {
      model: modelId, version: manifest.version, provider: result.provider, seriesInstanceUid: result.seriesInstanceUid,
      slices: result.slices, segments: seg.segments.map(
        ({ label, voxelCount, volumeMl }) => ({ label, voxelCount, volumeMl: Number(volumeMl.toFixed(2)) })),
      absent: seg.absent, seg: seg.bytes.length ? seg.sopInstanceUid : null, sr: sr.sopInstanceUid,
      qc: { state: result.qc.state, reasons: result.qc.reasons.map((r) => r.message) },
      timingsMs: { modelLoad: ms(tPipeline - t0), seriesLoad: stageMs.load, inference: stageMs.infer,
        encode: stageMs.encode, total: ms(tEnd - t0) },
    };
  } finally {
    await shutdown(registry);
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
    const s = bySeries.get(values.SeriesInstanceUID)
      ?? { seriesUid: values.SeriesInstanceUID, modality: values.Modality ?? '', files: [] };
    s.files.push(file);
    bySeries.set(s.seriesUid, s);
  }
  return [...bySeries.values()];
}

const ms = (v: number) => Math.round(v);
