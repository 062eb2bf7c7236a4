// Previews of a stored result: the source series' files and the stored SEG file → renderPreviews' input. The API
// calls renderPreviewsFromFiles, which does all of it in a worker thread (decode, SEG unpacking, PNG encoding).
import fs from 'node:fs/promises';
import { loadSeriesVolume } from '../infer/volume/index.js';
import { parsePart10 } from '../infer/volume/dcm.js';
import { readSegmentation } from '../encode/seg-reader.js';
import type { ReadSegment } from '../encode/types.js';
import { RequestWorker } from '../worker-start.js';
import { dicomLabToRgb, FALLBACK_COLOURS } from './colour.js';
import { ReviewError } from './errors.js';
import { renderPreviews, type Preview, type PreviewInput, type PreviewSegment } from './preview.js';
import type { Rgb } from './raster.js';

export interface PreviewFilesRequest { seriesFiles: string[]; segFile?: string }
export type PreviewFilesReply = { ok: true; previews: Preview[] } | { ok: false; code: string; message: string };

/**
 * Renders in a fresh worker thread, so the event loop stays free; refusals keep their code (ReviewError.code).
 * Without a SEG file (a result where nothing was segmented: SR only) the source is shown without segments.
 */
export async function renderPreviewsFromFiles(seriesFiles: string[], segFile?: string): Promise<Preview[]> {
  const worker = new RequestWorker<{ kind: 'preview' } & PreviewFilesRequest, PreviewFilesReply>(import.meta.url,
    'review-worker', (reason) => new ReviewError('REVIEW_WORKER_FAILED', reason));
  try {
    const reply = await worker.ask({ kind: 'preview', seriesFiles, segFile });
    if (!reply.ok) throw new ReviewError(reply.code, reply.message);
    return reply.previews;
  } finally {
    worker.stop();
  }
}

/** The work itself, on whichever thread calls it (the worker, or a test). */
export async function renderPreviewsOfFiles(seriesFiles: string[], segFile?: string): Promise<Preview[]> {
  return renderPreviews(await previewInputFromFiles(seriesFiles, segFile));
}

/**
 * The volume in HU on the source grid, and the SEG's segments as label values: with up to 8 segments each one is a
 * bit of the label value, so overlapping segments keep every voxel; beyond 8 a later segment wins where they overlap.
 */
export async function previewInputFromFiles(seriesFiles: string[], segFile?: string): Promise<PreviewInput> {
  const loaded = await loadSeriesVolume(seriesFiles, { minSlices: 1 });
  const { dims, spacing, affine, data } = loaded.volume;
  const modality = String(loaded.slices[0]?.dataset.Modality ?? 'CT');
  if (!segFile) return { volume: data, dims, spacing, affine,
    labels: new Uint8Array(data.length), segments: [], modality };
  const bytes = new Uint8Array(await fs.readFile(segFile));
  const seg = readSegmentation(bytes, loaded.slices);
  const colours = recommendedColours(bytes);
  const ordered = [...seg.segments].sort((a, b) => a.number - b.number);
  const bitCoded = ordered.length <= 8;
  const labels = new Uint8Array(loaded.volume.data.length);
  const segments: PreviewSegment[] = ordered.map((s, n) => {
    const mask = seg.masks.get(s.number);
    const value = bitCoded ? 1 << n : Math.min(n + 1, 255);
    if (mask) for (let p = 0; p < mask.length; p++) if (mask[p]) labels[p] = bitCoded ? labels[p] | value : value;
    return previewSegment(s, n, colours, bitCoded ? valuesWithBit(n) : [value]);
  });
  return { volume: data, dims, spacing, affine, labels, segments, modality };
}

function previewSegment(s: ReadSegment, n: number, colours: Map<number, Rgb>, labelValues: number[]): PreviewSegment {
  const colorRgb = colours.get(s.number) ?? FALLBACK_COLOURS[n % FALLBACK_COLOURS.length];
  return { label: s.label || `Segment ${s.number}`, labelValues, colorRgb, type: s.type };
}

function valuesWithBit(n: number): number[] {
  return Array.from({ length: 255 }, (_, v) => v + 1).filter((v) => (v & (1 << n)) !== 0);
}

/** Segment number → RecommendedDisplayCIELabValue as sRGB, from the SEG's header (the parse stops at PixelData). */
function recommendedColours(bytes: Uint8Array): Map<number, Rgb> {
  const out = new Map<number, Rgb>();
  const items = parsePart10(bytes, true).dataset.SegmentSequence;
  for (const item of (Array.isArray(items) ? items : []) as Array<Record<string, unknown>>) {
    const lab = item.RecommendedDisplayCIELabValue;
    if (Array.isArray(lab) && lab.length === 3 && lab.every((v) => Number.isFinite(Number(v)))) {
      out.set(Number(item.SegmentNumber), dicomLabToRgb(lab.map(Number) as [number, number, number]));
    }
  }
  return out;
}
