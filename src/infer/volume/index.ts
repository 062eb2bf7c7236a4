// Series -> volume: the entry the inference stage calls. This thread only shares out the work: helper
// threads read the headers and decode the pixels (see assemble.ts, helper-thread.ts, worker-start.ts).
import os from 'node:os';
import { assembleSeriesVolume } from './assemble.js';
import { HelperThread } from './helper-thread.js';
import type { LoadedSeries, LoadOptions } from './types.js';

export { VolumeError, volumeErrorCodes } from './types.js';
export type { LoadedSeries, LoadOptions, SliceHeader, Volume, VolumeErrorCode } from './types.js';
export { assembleSeriesVolume } from './assemble.js';

/** Sort, check, decode and rescale a series into a volume, off this thread; refusals are VolumeErrors. */
export async function loadSeriesVolume(files: string[], opts: LoadOptions = {}): Promise<LoadedSeries> {
  const helpers = Array.from({ length: opts.threads ?? defaultThreads(files.length) }, () => new HelperThread());
  try {
    return await assembleSeriesVolume(files, opts, helpers);
  } finally {
    for (const h of helpers) h.stop();
  }
}

/** One thread per 64 files, up to the cores there are (at most 4): both passes are CPU-bound. */
function defaultThreads(files: number): number {
  return Math.max(1, Math.min(4, os.availableParallelism(), Math.floor(files / 64)));
}
