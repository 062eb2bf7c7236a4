// Starts a worker thread from a sibling file both in compiled dist/*.js and in src/*.ts under vitest.
// Built JavaScript starts the .js file directly. Node 20 cannot run .ts and its worker execArgv
// ignores `--import tsx`, so for .ts a two-line eval'd bootstrap registers the tsx loader (a dev
// dependency, never loaded in production) inside the worker and then imports the .ts entry.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';

/** `name` without extension, resolved beside `fromUrl` (the caller's import.meta.url). */
export function startSiblingWorker(fromUrl: string, name: string, workerData: unknown): Worker {
  const runningTypeScript = fromUrl.endsWith('.ts');
  const entry = new URL(`./${name}${runningTypeScript ? '.ts' : '.js'}`, fromUrl);
  if (!runningTypeScript) return new Worker(entry, { workerData });
  const bootstrap = `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * A worker started now that answers one request sent later (see answerOneRequest), so its start-up (thread,
 * module loading: ~200 ms here) overlaps what the caller does meanwhile. Crashes and an unclonable request
 * reject with `crashed(reason)`; stop() ends a worker that was never asked.
 */
export class OneShotWorker<Request, Reply> {
  private readonly worker: Worker;
  private readonly reply: Promise<Reply>;

  constructor(fromUrl: string, name: string, private readonly crashed: (reason: string) => Error) {
    this.worker = startSiblingWorker(fromUrl, name, undefined);
    this.reply = new Promise<Reply>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', (err) => reject(crashed(`worker crashed: ${err?.message ?? String(err)}`)));
      this.worker.once('exit', (code) => reject(crashed(`worker exited with code ${code} before answering`)));
    });
    this.reply.catch(() => {}); // a worker stopped before it was asked is not an unhandled rejection
  }

  ask(request: Request): Promise<Reply> {
    try {
      this.worker.postMessage(request);
    } catch (err) { // DataCloneError: the request cannot cross the thread boundary
      this.stop();
      return Promise.reject(this.crashed(`request cannot be sent to the worker: ${(err as Error).message}`));
    }
    return this.reply;
  }

  stop(): void {
    void this.worker.terminate();
  }
}

/** The worker side of OneShotWorker: handle the one request, post the answer, and let the thread end. */
export function answerOneRequest<Request, Reply>(handle: (request: Request) => Reply | Promise<Reply>): void {
  parentPort?.once('message', async (request: Request) => parentPort!.postMessage(await handle(request)));
}

function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
