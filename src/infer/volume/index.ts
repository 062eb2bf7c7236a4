// Series -> volume: the entry the inference stage calls; the decode/sort/rescale work runs in a worker thread.
//
// Worker start-up, chosen to work both from compiled dist/*.js and from src/*.ts under vitest:
// the worker file sits beside this one (load-worker.js or load-worker.ts, same extension as this file).
// Built JavaScript starts it directly. Node 20 cannot run .ts, and its worker execArgv ignores
// `--import tsx`, so for .ts a two-line eval'd bootstrap registers the tsx loader (a dependency)
// inside the worker and then imports the .ts entry.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
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
  const runningTypeScript = import.meta.url.endsWith('.ts');
  const entry = new URL(runningTypeScript ? './load-worker.ts' : './load-worker.js', import.meta.url);
  if (!runningTypeScript) return new Worker(entry, { workerData });
  const bootstrap = `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** The ESM build of tsx's register API (require.resolve would give its CommonJS build, which cannot register ESM hooks). */
function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
