// syncfs(2) of the storage volume, which Node does not expose: coreutils `sync -f` flushes every
// file, directory entry and the WAL written there in one pass, far cheaper than one fsync per file.
import { execFile, execFileSync } from 'node:child_process';

export function syncFileSystem(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['-f', dir], (err) => (err ? reject(err) : resolve()));
  });
}

export function syncFileSystemSync(dir: string): void {
  execFileSync('sync', ['-f', dir]);
}
