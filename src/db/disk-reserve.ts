// Room for the node's own state writes when the disk fills: a preallocated file, deleted to let a
// job's failure (or any other state write that met SQLITE_FULL) be recorded, restored once space is back.
import fs from 'node:fs';
import path from 'node:path';

export const RESERVE_FILE = 'state-reserve';

export interface DiskReserve {
  /** Runs a database write; on SQLITE_FULL frees the reserve and runs it once more. */
  write<T>(fn: () => T): T;
  /** Re-creates a released reserve when the disk has room for it and the floor above it; true when it did. */
  restore(): boolean;
  readonly held: boolean;
}

export function openDiskReserve(
  dataDir: string, bytes: number, floorBytes: number, onRelease: (reason: string) => void,
): DiskReserve {
  const file = path.join(dataDir, RESERVE_FILE);
  let held = fs.existsSync(file) && fs.statSync(file).size >= bytes;
  const fill = (): boolean => {
    try {
      // Written, not truncated to size: a sparse file would reserve nothing.
      const fd = fs.openSync(file, 'w');
      try { fs.writeSync(fd, Buffer.alloc(bytes)); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
      return (held = true);
    } catch {
      fs.rmSync(file, { force: true }); // a half-written reserve would take the last free bytes
      return (held = false);
    }
  };
  if (!held && bytes > 0) fill();
  const release = (reason: string): boolean => {
    if (!held) return false;
    fs.rmSync(file, { force: true });
    held = false;
    onRelease(reason);
    return true;
  };
  return {
    get held() { return held; },
    write<T>(fn: () => T): T {
      try {
        return fn();
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_FULL' || !release((err as Error).message)) throw err;
        return fn();
      }
    },
    restore(): boolean {
      if (held || bytes <= 0) return false;
      const s = fs.statfsSync(dataDir);
      if (s.bavail * s.bsize < bytes + floorBytes) return false;
      return fill();
    },
  };
}
