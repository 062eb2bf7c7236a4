// Series-load benchmark: time loadSeriesVolume on a synthetic 300×512×512 CT series
// (run: node dist/bench/series-load.js).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSeriesVolume } from '../src/infer/volume/index.js';
import { writeSyntheticCtSeries } from '../src/synthetic/index.js';

export interface SeriesLoadFigures {
  slices: number;
  /** wall time of loadSeriesVolume (worker start, headers, decode, rescale) */
  ms: number;
  /** highest process RSS (main thread + worker) sampled while loading */
  peakRssMb: number;
  /** time to write the series (phantom + files), for the ingest benchmark's budget */
  writeMs: number;
}

export async function benchSeriesLoad(
  opts: { slices?: number; rows?: number; columns?: number } = {}): Promise<SeriesLoadFigures> {
  const slices = opts.slices ?? 300;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-series-load-'));
  try {
    const writeStart = performance.now();
    const written = await writeSyntheticCtSeries(dir,
      { slices, rows: opts.rows ?? 512, columns: opts.columns ?? 512, shuffle: true });
    const writeMs = performance.now() - writeStart;
    const files = written.files;
    written.phantom.hu = new Int16Array(0); // drop the 150 MB ground truth so it does not count in the peak
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);
    const start = performance.now();
    const series = await loadSeriesVolume(files);
    const ms = performance.now() - start;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    if (series.volume.dims[2] !== slices) throw new Error(`loaded ${series.volume.dims[2]} slices, wrote ${slices}`);
    return { slices, ms: Math.round(ms), peakRssMb: Math.round(peakRss / 2 ** 20), writeMs: Math.round(writeMs) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await benchSeriesLoad();
  const mbPerSecond = (figures.slices * 512 * 512 * 2) / 2 ** 20 / (figures.ms / 1000);
  console.log('series load benchmark (shared machine: figures vary between runs)');
  console.log(JSON.stringify({ ...figures, storedMbPerSecond: Math.round(mbPerSecond) }));
}
