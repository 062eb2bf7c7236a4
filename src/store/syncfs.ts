// syncfs(2) of the storage volume, which Node does not expose: coreutils `sync -f` flushes every
// file, directory entry and the WAL written there in one pass, far cheaper than one fsync per file.
// It runs from one small long-lived shell: spawning `sync` from the node forked a process of the
// node's size every release (≈ 14 ms of main-thread time each, measured in bench:ingest's profile).
import { execFile, execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

interface Helper {
  child: ChildProcessByStdio<Writable, Readable, null>; waiting: Array<(ok: boolean) => void>; out: string
}

const LOOP = 'while IFS= read -r d; do if sync -f "$d"; then echo ok; else echo fail; fi; done';
let helper: Helper | undefined;

export function syncFileSystem(dir: string): Promise<void> {
  if (dir.includes('\n')) return syncOnce(dir);
  const h = (helper ??= startHelper());
  return new Promise((resolve, reject) => {
    h.waiting.push((ok) => (ok ? resolve() : reject(new Error(`sync -f ${dir} failed`))));
    pipe(h.child.stdout).ref(); // a pending answer keeps the process alive, an idle helper does not
    h.child.stdin.write(`${dir}\n`);
  });
}

export function syncFileSystemSync(dir: string): void {
  execFileSync('sync', ['-f', dir]);
}

function startHelper(): Helper {
  const child = spawn('sh', ['-c', LOOP], { stdio: ['pipe', 'pipe', 'ignore'] });
  const h: Helper = { child, waiting: [], out: '' };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    h.out += d;
    for (let nl = h.out.indexOf('\n'); nl >= 0; nl = h.out.indexOf('\n')) {
      const line = h.out.slice(0, nl);
      h.out = h.out.slice(nl + 1);
      h.waiting.shift()?.(line === 'ok');
    }
    if (h.waiting.length === 0) pipe(child.stdout).unref();
  });
  const gone = () => {
    if (helper === h) helper = undefined; // the next call starts a new one
    for (const w of h.waiting.splice(0)) w(false);
  };
  child.on('error', gone);
  child.on('exit', gone);
  child.stdin.on('error', () => {});
  // An idle helper never keeps the node alive; it ends when the node closes its stdin by exiting.
  child.unref();
  pipe(child.stdin).unref();
  pipe(child.stdout).unref();
  return h;
}

/** Child process pipes are sockets, which can be (un)referenced; the stream types do not say so. */
const pipe = (s: Readable | Writable) => s as unknown as { ref: () => void; unref: () => void };

function syncOnce(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['-f', dir], (err) => (err ? reject(err) : resolve()));
  });
}
