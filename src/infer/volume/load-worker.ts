// Worker-thread entry: builds one series volume off the main event loop and posts it back (pixels in a SharedArrayBuffer).
import { parentPort, workerData } from 'node:worker_threads';
import { assembleSeriesVolume } from './assemble.js';
import { VolumeError, type LoadOptions } from './types.js';

export interface LoadRequest {
  files: string[];
  opts: LoadOptions;
}
export type LoadReply =
  | { ok: true; series: Awaited<ReturnType<typeof assembleSeriesVolume>> }
  | { ok: false; code: VolumeError['code']; reason: string };

const request = workerData as LoadRequest;
assembleSeriesVolume(request.files, request.opts).then(
  (series) => parentPort!.postMessage({ ok: true, series } satisfies LoadReply),
  (err: unknown) => {
    // only the code and reason cross the thread boundary; an unexpected error keeps its message
    const reply: LoadReply =
      err instanceof VolumeError
        ? { ok: false, code: err.code, reason: err.reason }
        : { ok: false, code: 'WORKER_FAILED', reason: `unexpected error while loading: ${(err as Error)?.message ?? String(err)}` };
    parentPort!.postMessage(reply);
  },
);
