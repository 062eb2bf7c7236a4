// Result objects on disk: written durably (temp file, fsync, rename, directory fsync) so a row that
// names a file always finds it complete after a crash; a temp file never outlives its write.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const TEMP = /^\..+\.(\d+)\.tmp$/;

export async function writeFileDurably(file: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fsp.mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await fsp.open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(temp, file);
  } catch (err) {
    // A partial file on a full disk holds the very space the failure's state write needs.
    await fsp.rm(temp, { force: true });
    throw err;
  }
  const dirHandle = await fsp.open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/**
 * On start: temp files left by a process that died mid-write (any pid but ours when the data dir is this node's).
 * `minAgeMs`: on a data dir shared by several nodes another pid may be a live node writing now, so only old ones go.
 */
export async function removeOrphanTempFiles(resultsDir: string, minAgeMs = 0): Promise<string[]> {
  const entries = await fsp.readdir(resultsDir, { recursive: true, withFileTypes: true }).catch(() => []);
  const oldEnough = (f: string) =>
    minAgeMs === 0 || Date.now() - (fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) >= minAgeMs;
  const orphans = entries.filter((e) => e.isFile() && Number(TEMP.exec(e.name)?.[1] ?? process.pid) !== process.pid)
    .map((e) => path.join(e.parentPath, e.name)).filter(oldEnough);
  await Promise.all(orphans.map((f) => fsp.rm(f, { force: true })));
  return orphans;
}
