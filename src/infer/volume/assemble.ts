// The series -> volume pipeline: the header pass, geometry, and the pixel pass, each pass shared out to
// hands (helper threads in the server, see index.ts; this thread in tests).
import { fillSlices, type FileWork } from './fill.js';
import type { FrameRef } from './frames.js';
import { stackGeometry } from './geometry.js';
import { readHeaders, type HeaderShare } from './headers.js';
import { pixelFormat } from './pixels.js';
import { VolumeError, type LoadedSeries, type LoadOptions } from './types.js';

/** Hands that take a share of each pass: this thread, or a helper thread (helper-thread.ts). */
export interface LoaderHands {
  headers(files: string[]): Promise<HeaderShare>;
  fill(data: Float32Array, sliceSize: number, work: FileWork[]): Promise<void>;
}

export const thisThread: LoaderHands = {
  headers: async (files) => readHeaders(files),
  fill: (data, sliceSize, work) => fillSlices(data, sliceSize, work),
};

/**
 * Two passes keep peak memory near the size of the output: headers first (geometry decides the order and
 * the allocation), then each file again for its pixels, decoded straight into its slot of the shared buffer.
 * Each pass is split into contiguous shares, one per pair of hands, so a big series uses every core.
 */
export async function assembleSeriesVolume(files: string[], opts: LoadOptions = {},
  hands: LoaderHands[] = [thisThread]): Promise<LoadedSeries> {
  const minSlices = opts.minSlices ?? 3;
  const spacingTolerance = opts.spacingTolerance ?? 0.05;
  if (files.length === 0) throw new VolumeError('TOO_FEW_SLICES', 'no files given');
  const headerShares = await allShares(split(files, hands.length).map((share, n) => hands[n]!.headers(share)));
  const frames = headerShares.flatMap((h) => h.frames);
  const syntaxes = Object.assign({}, ...headerShares.map((h) => h.syntaxes)) as Record<string, string>;
  const identity = seriesIdentity(frames);
  const geometry = stackGeometry(frames, minSlices, spacingTolerance);
  const [columns, rows, slices] = geometry.dims;
  const sliceSize = columns * rows;
  const data = new Float32Array(new SharedArrayBuffer(sliceSize * slices * Float32Array.BYTES_PER_ELEMENT));
  await allShares(split(workByFile(geometry.ordered, syntaxes), hands.length).map((share, n) =>
    hands[n]!.fill(data, sliceSize, share)));
  return {
    volume: { dims: geometry.dims, spacing: geometry.spacing, affine: geometry.affine, data },
    slices: geometry.ordered.map((f) => f.header),
    ...identity,
  };
}

/** `parts` contiguous shares (some empty when there are fewer items). */
function split<T>(items: T[], parts: number): T[][] {
  const per = Math.max(1, Math.ceil(items.length / parts));
  return Array.from({ length: parts }, (_, n) => items.slice(n * per, (n + 1) * per));
}

/** Every share is awaited before the first refusal is reported, so no hand is still writing when the caller moves
 *  on. */
async function allShares<R>(shares: Array<Promise<R>>): Promise<R[]> {
  const results = await Promise.allSettled(shares);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<R>).value);
}

/** Frames grouped by file (a multi-frame file is read once), each with its slot (firstSlot + its index) and rescale. */
export function workByFile(ordered: FrameRef[], syntaxes: Record<string, string>, firstSlot = 0): FileWork[] {
  const byFile = new Map<string, FileWork>();
  ordered.forEach((frame, k) => {
    let w = byFile.get(frame.file);
    if (!w) {
      const ds = frame.header.dataset;
      const frameCount = Number(ds.NumberOfFrames ?? 1) || 1;
      w = { file: frame.file, transferSyntaxUid: syntaxes[frame.file] ?? '', format: pixelFormat(ds), frameCount,
        slots: [] };
      byFile.set(frame.file, w);
    }
    w.slots.push({ k: firstSlot + k, frameIndex: frame.frameIndex, slope: frame.geometry.rescaleSlope,
      intercept: frame.geometry.rescaleIntercept });
  });
  return [...byFile.values()];
}

/** One volume is one series of one study in one frame of reference; anything else is a routing mistake upstream. */
export function seriesIdentity(frames: FrameRef[]): Pick<LoadedSeries,
  'seriesInstanceUid' | 'studyInstanceUid' | 'frameOfReferenceUid'> {
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
        throw new VolumeError('MIXED_SERIES',
          `${frame.file} has ${key} ${String(ds[key] ?? '(none)')}, the first file ${String(first[key] ?? '(none)')}`);
      }
    }
  }
  return identity;
}
