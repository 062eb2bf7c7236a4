// Retention: deletes studies older than the configured age whose work is finished. Rows go first
// (in one transaction), files after, so no row ever points at a missing file.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database.js';
import type { Logger } from '../log/logger.js';

export async function applyRetention(db: Db, studiesDir: string, maxAgeDays: number, log: Logger, now = Date.now()): Promise<number> {
  const cutoff = now - maxAgeDays * 86_400_000;
  // "Work finished" today means the study is complete; the job tables of later stages join here.
  const expired = db.prepare("SELECT study_uid AS uid FROM studies WHERE state = 'complete' AND last_received_at < ?").all(cutoff) as { uid: string }[];
  for (const { uid } of expired) {
    const files = db.transaction(() => {
      const rows = db.prepare('SELECT path, size FROM instances WHERE study_uid = ?').all(uid) as { path: string; size: number }[];
      db.prepare('DELETE FROM instances WHERE study_uid = ?').run(uid);
      db.prepare('DELETE FROM series WHERE study_uid = ?').run(uid);
      db.prepare('DELETE FROM study_completions WHERE study_uid = ?').run(uid);
      db.prepare('DELETE FROM studies WHERE study_uid = ?').run(uid);
      return rows;
    })();
    const dirs = new Set<string>();
    for (const f of files) {
      await fsp.rm(f.path, { force: true });
      dirs.add(path.dirname(f.path));
    }
    for (const d of dirs) await fsp.rmdir(d).catch(() => {});
    for (const d of new Set([...dirs].map((x) => path.dirname(x)))) if (d.startsWith(studiesDir)) await fsp.rmdir(d).catch(() => {});
    log.info('retention.removed', { studyUid: uid, instances: files.length, bytes: files.reduce((s, f) => s + f.size, 0) });
  }
  return expired.length;
}
