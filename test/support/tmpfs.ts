// A real small filesystem for disk-full tests: a tmpfs of a given size (needs root to mount).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk { dir: string; unmount: () => void }

/** Mounts a tmpfs of `sizeMb`; undefined when this machine does not let us mount (not root). */
export function mountSmallDisk(sizeMb: number): SmallDisk | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'small-disk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir]);
  if (r.status !== 0) { fs.rmdirSync(dir); return undefined; }
  return { dir, unmount: () => { spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true }); } };
}

export const canMount = (() => { const d = mountSmallDisk(1); d?.unmount(); return d !== undefined; })();

/** Writes `file` until the filesystem has no byte left (ENOSPC on the smallest chunk); returns its size. */
export function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  let written = 0;
  try {
    for (let chunk = 1 << 20; chunk >= 512; chunk >>= 1) {
      const buf = Buffer.alloc(chunk, 0xa5);
      for (;;) {
        try { written += fs.writeSync(fd, buf); }
        catch (err) { if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break; throw err; }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return written;
}
