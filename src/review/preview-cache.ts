// Previews of a result on disk: rendered once in a worker (renderPreviewsFromFiles) from the stored source series
// and SEG, cached as previews/<revision>-<n>.png with an index of titles beside them, so a reviewer's page load
// after the first costs a file read. Until the first render the listing is the one the renderer will produce.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../durable-file.js';
import { renderPreviewsFromFiles } from './preview-files.js';

export interface PreviewEntry { n: number; title: string }
export interface PreviewSource {
  /** the result's folder (data/results/<jobId>) and revision: where the cache lives */
  dir: string; revision: number;
  seriesFiles: string[];
  segFile?: string;
  /** labels of the segments the SEG holds, in its order */
  segmentLabels: string[];
}

const rendering = new Map<string, Promise<PreviewEntry[]>>();

/** The previews the result has (from the cache, else as the renderer will make them: one axial per segment, or the
 *  middle slice when nothing was segmented, then one coronal reformat). */
export function listPreviews(src: PreviewSource): PreviewEntry[] {
  const cached = readIndex(src);
  if (cached) return cached;
  const labels = src.segFile ? src.segmentLabels : [];
  const axial = labels.length
    ? labels.map((l) => `Axial slice with the most voxels of ${l}`)
    : ['Axial middle slice (no segment voxels)'];
  return [...axial, 'Coronal reformat through the segments'].map((title, n) => ({ n, title }));
}

/** The PNG of preview n, rendering (once, concurrent requests share it) when not cached; undefined when out of
 *  range. */
export async function previewPng(src: PreviewSource, n: number): Promise<Buffer | undefined> {
  const file = pngFile(src, n);
  if (fs.existsSync(file)) return fsp.readFile(file);
  const key = `${src.dir}#${src.revision}`;
  let job = rendering.get(key);
  if (!job) {
    job = render(src).finally(() => rendering.delete(key));
    rendering.set(key, job);
  }
  const entries = await job;
  if (!entries.some((e) => e.n === n)) return undefined;
  return fsp.readFile(file);
}

async function render(src: PreviewSource): Promise<PreviewEntry[]> {
  const previews = await renderPreviewsFromFiles(src.seriesFiles, src.segFile);
  const entries = previews.map((p, n) => ({ n, title: p.title }));
  for (const [n, p] of previews.entries()) await writeFileDurably(pngFile(src, n), new Uint8Array(p.png));
  await writeFileDurably(indexFile(src), new TextEncoder().encode(JSON.stringify(entries)));
  return entries;
}

function readIndex(src: PreviewSource): PreviewEntry[] | undefined {
  try {
    return JSON.parse(fs.readFileSync(indexFile(src), 'utf8')) as PreviewEntry[];
  } catch {
    return undefined;   // not rendered yet
  }
}

const pngFile = (src: PreviewSource, n: number) => path.join(src.dir, 'previews', `${src.revision}-${n}.png`);
const indexFile = (src: PreviewSource) => path.join(src.dir, 'previews', `${src.revision}.json`);
