// Series -> volume: the entry the inference stage calls. This thread only shares out the work: helper
// threads read the headers and decode the pixels (see assemble.ts, helper-thread.ts, worker-start.ts).
import os from 'node:os';
import { scanPart10File } from '../../dicom/header-scan.js';
import { assembleSeriesVolume } from './assemble.js';
import { ArrivingSeries, type ArrivedFile } from './arrival.js';
import { HelperThread } from './helper-thread.js';
import { NATIVE_TRANSFER_SYNTAXES } from '../../dicom/uids.js';
import type { LoadedSeries, LoadOptions } from './types.js';

export { VolumeError, volumeErrorCodes } from './types.js';
export type { LoadedSeries, LoadOptions, SliceHeader, Volume, VolumeErrorCode } from './types.js';
export { assembleSeriesVolume } from './assemble.js';
export { ArrivingSeries, type ArrivedFile } from './arrival.js';

/** Sort, check, decode and rescale a series into a volume, off this thread; refusals are VolumeErrors. */
export async function loadSeriesVolume(files: string[], opts: LoadOptions = {}): Promise<LoadedSeries> {
  const helpers = Array.from({ length: opts.threads ?? defaultThreads(files) }, () => new HelperThread());
  try {
    return await assembleSeriesVolume(files, opts, helpers);
  } finally {
    for (const h of helpers) h.stop();
  }
}

/** The series from what was decoded as it arrived (arrival.ts), or from the files when that path gave up. */
export async function loadArrivedSeries(arriving: ArrivingSeries, files: ArrivedFile[],
  opts: LoadOptions = {}): Promise<LoadedSeries> {
  return (await arriving.finish(files, opts)) ?? loadSeriesVolume(files.map((f) => f.path), opts);
}

/**
 * One thread per 64 native files, or per 8 compressed ones (judged by the first file: a J2K frame costs ~50 ms
 * to decode, a native one well under 1), up to the cores there are (at most 4): both passes are CPU-bound.
 */
function defaultThreads(files: string[]): number {
  const perThread = files.length > 0 && isCompressed(files[0]!) ? 8 : 64;
  return Math.max(1, Math.min(4, os.availableParallelism(), Math.floor(files.length / perThread)));
}

function isCompressed(file: string): boolean {
  try {
    return !NATIVE_TRANSFER_SYNTAXES.has(scanPart10File(file).transferSyntaxUid);
  } catch {
    return false; // unreadable: the header pass refuses it with its code
  }
}
