// The series -> volume pipeline itself (runs inside a worker thread; see index.ts for the thread hop).
import os from 'node:os';
import { fillSlices, type FileWork } from './fill.js';
import type { FrameRef } from './frames.js';
import { stackGeometry } from './geometry.js';
import { readHeaders } from './headers.js';
import { HelperThread } from './helper-thread.js';
import { pixelFormat } from './pixels.js';
import { VolumeError, type LoadedSeries, type LoadOptions } from './types.js';

/**
 * Two passes keep peak memory near the size of the output: headers first (geometry decides the order and
 * the allocation), then each file again for its pixels, decoded straight into its slot of the shared buffer.
 * A big series is split into contiguous shares: this thread takes the first, helper threads the others.
 */
export async function assembleSeriesVolume(files: string[], opts: LoadOptions = {}): Promise<LoadedSeries> {
  const minSlices = opts.minSlices ?? 3;
  const spacingTolerance = opts.spacingTolerance ?? 0.05;
  if (files.length === 0) throw new VolumeError('TOO_FEW_SLICES', 'no files given');
  const helpers = Array.from({ length: (opts.threads ?? defaultThreads(files.length)) - 1 }, () => new HelperThread());
  try {
    const fileShares = split(files, helpers.length + 1);
    const headerShares = await inParallel(helpers, fileShares,
      (share) => readHeaders(share), async (helper, share) => (await helper.request({ type: 'headers', files: share })).headers!);
    const frames = headerShares.flatMap((h) => h.frames);
    const syntaxes = Object.assign({}, ...headerShares.map((h) => h.syntaxes)) as Record<string, string>;
    const identity = seriesIdentity(frames);
    const geometry = stackGeometry(frames, minSlices, spacingTolerance);
    const [columns, rows, slices] = geometry.dims;
    const sliceSize = columns * rows;
    const data = new Float32Array(new SharedArrayBuffer(sliceSize * slices * Float32Array.BYTES_PER_ELEMENT));
    await inParallel(helpers, split(workByFile(geometry.ordered, syntaxes), helpers.length + 1),
      (share) => fillSlices(data, sliceSize, share), async (helper, share) => { await helper.request({ type: 'fill', data, sliceSize, work: share }); });
    return {
      volume: { dims: geometry.dims, spacing: geometry.spacing, affine: geometry.affine, data },
      slices: geometry.ordered.map((f) => f.header),
      ...identity,
    };
  } finally {
    for (const h of helpers) h.stop();
  }
}

/** One thread per 64 files, up to the cores there are (at most 4): both passes are CPU-bound. */
function defaultThreads(files: number): number {
  return Math.max(1, Math.min(4, os.availableParallelism(), Math.floor(files / 64)));
}

/** `parts` contiguous shares (fewer when there are fewer items). */
function split<T>(items: T[], parts: number): T[][] {
  const per = Math.max(1, Math.ceil(items.length / parts));
  return Array.from({ length: parts }, (_, n) => items.slice(n * per, (n + 1) * per));
}

/**
 * Share n > 0 goes to helper n − 1 (sent first, so the helpers start at once), share 0 runs here. Every share
 * is awaited before the first refusal is reported, so no helper is still writing when the caller moves on.
 */
async function inParallel<T, R>(helpers: HelperThread[], shares: T[][], here: (share: T[]) => R | Promise<R>,
  there: (helper: HelperThread, share: T[]) => Promise<R>): Promise<R[]> {
  const away = helpers.map((helper, n) => there(helper, shares[n + 1]!));
  const results = await Promise.allSettled([Promise.resolve().then(() => here(shares[0]!)), ...away]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/** Frames grouped by file (a multi-frame file is read once), each with its slot and rescale. */
function workByFile(ordered: FrameRef[], syntaxes: Record<string, string>): FileWork[] {
  const byFile = new Map<string, FileWork>();
  ordered.forEach((frame, k) => {
    let w = byFile.get(frame.file);
    if (!w) {
      w = { file: frame.file, transferSyntaxUid: syntaxes[frame.file] ?? '', format: pixelFormat(frame.header.dataset), slots: [] };
      byFile.set(frame.file, w);
    }
    w.slots.push({ k, frameIndex: frame.frameIndex, slope: frame.geometry.rescaleSlope, intercept: frame.geometry.rescaleIntercept });
  });
  return [...byFile.values()];
}

/** One volume is one series of one study in one frame of reference; anything else is a routing mistake upstream. */
function seriesIdentity(frames: FrameRef[]): Pick<LoadedSeries, 'seriesInstanceUid' | 'studyInstanceUid' | 'frameOfReferenceUid'> {
  const first = frames[0]!.header.dataset;
  const identity = {
    seriesInstanceUid: String(first.SeriesInstanceUID ?? ''),
    studyInstanceUid: String(first.StudyInstanceUID ?? ''),
    frameOfReferenceUid: String(first.FrameOfReferenceUID ?? ''),
  };
  for (const frame of frames) {
    const ds = frame.header.dataset;
    for (const key of ['SeriesInstanceUID', 'StudyInstanceUID', 'FrameOfReferenceUID'] as const) {
      if (String(ds[key] ?? '') !== String(first[key] ?? '')) {
        throw new VolumeError('MIXED_SERIES', `${frame.file} has ${key} ${String(ds[key] ?? '(none)')}, the first file ${String(first[key] ?? '(none)')}`);
      }
    }
  }
  return identity;
}
