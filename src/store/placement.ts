// Where an instance file lives and how it gets there: rename() into the series folder, so readers
// see the old or the new file, never a part. `durable` adds the directory fsyncs the direct path needs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** UIDs become path names only when they are pure UID syntax; anything else is hashed. */
export function safeName(uid: string): string {
  return /^[0-9]+(\.[0-9]+)*$/.test(uid) && uid.length <= 64 ? uid
    : `h${crypto.createHash('sha256').update(uid).digest('hex').slice(0, 40)}`;
}

export function finalPathOf(studiesDir: string, studyUid: string, seriesUid: string, sopUid: string): string {
  return path.join(studiesDir, safeName(studyUid), safeName(seriesUid), `${safeName(sopUid)}.dcm`);
}

export class Placement {
  private readonly knownDirs = new Set<string>();
  private readonly durableDirs = new Set<string>();

  constructor(private readonly studiesDir: string) {}

  async moveIntoPlace(tempPath: string, studyUid: string, seriesUid: string, sopUid: string,
    durable: boolean): Promise<string> {
    const finalPath = finalPathOf(this.studiesDir, studyUid, seriesUid, sopUid);
    const dir = path.dirname(finalPath);
    if (!this.knownDirs.has(dir)) {
      await fsp.mkdir(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    if (durable && !this.durableDirs.has(dir)) {
      await fsyncDir(path.dirname(dir));
      await fsyncDir(path.dirname(path.dirname(dir)));
      this.durableDirs.add(dir);
    }
    await fsp.rename(tempPath, finalPath);
    if (durable) await fsyncDir(dir);
    return finalPath;
  }

  /** Replay's variant (at start, before anything listens): blocking is fine and simpler. */
  placeSync(tempPath: string, studyUid: string, seriesUid: string, sopUid: string): string {
    const finalPath = finalPathOf(this.studiesDir, studyUid, seriesUid, sopUid);
    fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    fs.renameSync(tempPath, finalPath);
    return finalPath;
  }
}

/**
 * fsync of a directory after a rename makes the new entry durable. Directory handles are kept
 * open (a small LRU) because a study arrives as hundreds of renames into the same series folder.
 */
const dirHandles = new Map<string, Promise<fsp.FileHandle>>();
async function fsyncDir(dir: string): Promise<void> {
  let handle = dirHandles.get(dir);
  if (!handle) {
    handle = fsp.open(dir, 'r');
    dirHandles.set(dir, handle);
    handle.catch(() => dirHandles.delete(dir));
    if (dirHandles.size > 64) {
      const [oldest, old] = dirHandles.entries().next().value!;
      dirHandles.delete(oldest);
      void old.then((h) => h.close()).catch(() => {});
    }
  }
  await (await handle).sync();
}
