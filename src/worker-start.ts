// Starts a worker thread from a sibling file both in compiled dist/*.js and in src/*.ts under vitest.
// Built JavaScript starts the .js file directly. Node 20 cannot run .ts and its worker execArgv
// ignores `--import tsx`, so for .ts a two-line eval'd bootstrap registers the tsx loader (a dev
// dependency, never loaded in production) inside the worker and then imports the .ts entry.
import { fork, type ChildProcess } from 'node:child_process';
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
 * Forks a sibling file as a child process with an IPC channel, the same way for .js and .ts (tsx's loader, by
 * absolute URL, so the child needs nothing from the caller's working directory).
 */
export function forkSibling(fromUrl: string, name: string): ChildProcess {
  const runningTypeScript = fromUrl.endsWith('.ts');
  const entry = new URL(`./${name}${runningTypeScript ? '.ts' : '.js'}`, fromUrl);
  const execArgv = runningTypeScript ? ['--import', tsxLoaderUrl()] : [];
  return fork(entry, [], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
}

/**
 * A worker that answers requests one at a time (see answerRequests). It starts now and is asked later, so
 * its start-up (thread, module loading: ~200 ms here) overlaps what the caller does meanwhile. Crashes, an
 * early exit and an unclonable request reject with `crashed(reason)`; stop() ends it, asked or not.
 */
export class RequestWorker<Request, Reply> {
  private readonly worker: Worker;
  private waiting?: { resolve: (reply: Reply) => void; reject: (err: Error) => void };
  private failure?: Error;

  constructor(fromUrl: string, name: string, private readonly crashed: (reason: string) => Error) {
    this.worker = startSiblingWorker(fromUrl, name, undefined);
    this.worker.on('message', (reply: Reply) => this.take()?.resolve(reply));
    this.worker.on('error', (err) => this.fail(`worker crashed: ${err?.message ?? String(err)}`));
    this.worker.on('exit', (code) => this.fail(`worker exited with code ${code} before answering`));
  }

  ask(request: Request): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiting) return Promise.reject(this.crashed('worker is busy (a bug: one request at a time)'));
    return new Promise<Reply>((resolve, reject) => {
      this.waiting = { resolve, reject };
      try {
        this.worker.postMessage(request);
      } catch (err) { // DataCloneError: the request cannot cross the thread boundary
        this.fail(`request cannot be sent to the worker: ${(err as Error).message}`);
        this.stop();
      }
    });
  }

  /** A worker kept idle for reuse must not keep the process alive; ref() it again before asking. */
  unref(): void { this.worker.unref(); }
  ref(): void { this.worker.ref(); }

  stop(): void {
    this.failure ??= this.crashed('worker stopped');
    void this.worker.terminate();
  }

  private take() {
    const w = this.waiting;
    this.waiting = undefined;
    return w;
  }

  private fail(reason: string): void {
    this.failure ??= this.crashed(reason);
    this.take()?.reject(this.failure);
  }
}

/**
 * The worker side of RequestWorker: answer each request in turn. With `once`, only the first, after which
 * the thread ends by itself (nothing keeps it alive); otherwise it answers until stopped.
 */
export function answerRequests<Request, Reply>(handle: (request: Request) => Reply | Promise<Reply>,
  opts: { once?: boolean } = {}): void {
  const answer = async (request: Request) => parentPort!.postMessage(await handle(request));
  if (opts.once) parentPort?.once('message', answer);
  else parentPort?.on('message', answer);
}

function tsxEsmApiUrl(): string {
  const { dir, manifest } = tsxManifest();
  return pathToFileURL(path.join(dir,
    (manifest.exports['./esm/api'] as { import: { default: string } }).import.default)).href;
}

function tsxLoaderUrl(): string {
  const { dir, manifest } = tsxManifest();
  return pathToFileURL(path.join(dir, manifest.exports['.'] as string)).href;
}

function tsxManifest() {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, unknown> };
  return { dir: path.dirname(manifestPath), manifest };
}
