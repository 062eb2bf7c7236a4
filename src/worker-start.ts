// Starts a worker thread from a sibling file both in compiled dist/*.js and in src/*.ts under vitest.
// Built JavaScript starts the .js file directly. Node 20 cannot run .ts and its worker execArgv
// ignores `--import tsx`, so for .ts a two-line eval'd bootstrap registers the tsx loader (a dev
// dependency, never loaded in production) inside the worker and then imports the .ts entry.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `name` without extension, resolved beside `fromUrl` (the caller's import.meta.url). */
export function startSiblingWorker(fromUrl: string, name: string, workerData: unknown): Worker {
  const runningTypeScript = fromUrl.endsWith('.ts');
  const entry = new URL(`./${name}${runningTypeScript ? '.ts' : '.js'}`, fromUrl);
  if (!runningTypeScript) return new Worker(entry, { workerData });
  const bootstrap = `import(${JSON.stringify(tsxEsmApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Runs one request in a fresh worker and resolves with its single reply. */
export function oneShotWorker<Reply>(fromUrl: string, name: string, workerData: unknown, crashed: (reason: string) => Error): Promise<Reply> {
  const worker = startSiblingWorker(fromUrl, name, workerData);
  return new Promise<Reply>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => { if (!settled) { settled = true; fn(); } };
    worker.once('message', (reply: Reply) => settle(() => resolve(reply)));
    worker.once('error', (err) => settle(() => reject(crashed(`worker crashed: ${err?.message ?? String(err)}`))));
    worker.once('exit', (code) => settle(() => reject(crashed(`worker exited with code ${code} before answering`))));
  });
}

function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(manifestPath), manifest.exports['./esm/api']!.import.default)).href;
}
