// Series -> volume: the entry the inference stage calls; the decode/sort/rescale work runs in a worker thread.
//
// The worker file (load-worker) sits beside this one; see src/worker-start.ts for how it starts.
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../../worker-start.js';
import type { LoadReply, LoadRequest } from './load-worker.js';
import { VolumeError, type LoadedSeries, type LoadOptions } from './types.js';

export { VolumeError, volumeErrorCodes } from './types.js';
export type { LoadedSeries, LoadOptions, SliceHeader, Volume, VolumeErrorCode } from './types.js';
export { assembleSeriesVolume } from './assemble.js';

/** Sort, check, decode and rescale a series into a volume, in a worker thread; refusals are VolumeErrors. */
export async function loadSeriesVolume(files: string[], opts: LoadOptions = {}): Promise<LoadedSeries> {
  const request: LoadRequest = { files, opts };
  const worker = startWorker(request);
  return new Promise<LoadedSeries>((resolve, reject) => {
    let settled = false;
    worker.once('message', (reply: LoadReply) => {
      settled = true;
      if (reply.ok) resolve(reply.series);
      else reject(new VolumeError(reply.code, reply.reason));
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new VolumeError('WORKER_FAILED', `volume worker crashed: ${err?.message ?? String(err)}`));
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new VolumeError('WORKER_FAILED', `volume worker exited with code ${code} before answering`));
    });
  });
}

function startWorker(workerData: LoadRequest): Worker {
  return startSiblingWorker(import.meta.url, 'load-worker', workerData);
}
