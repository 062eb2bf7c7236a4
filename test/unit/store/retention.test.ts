// Retention removes studies past the configured age whose work is finished: rows first, then files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepQuietPeriods } from '../../../src/assemble/completion.js';
import { openDatabase } from '../../../src/db/database.js';
import type { Logger, LogEvent } from '../../../src/log/logger.js';
import { InstanceStore } from '../../../src/store/instance-store.js';
import { applyRetention } from '../../../src/store/retention.js';
import { testdata } from '../../support/node-process.js';

function recordingLogger() {
  const events: Array<{ event: LogEvent; fields: Record<string, unknown> }> = [];
  const at = (event: LogEvent, fields: Record<string, unknown> = {}) => { events.push({ event, fields }); };
  const log: Logger = { info: at, warn: at, error: at, debug: at, close: async () => {} };
  return { log, events };
}

async function storeFile(store: InstanceStore, file: string) {
  const w = store.begin(null);
  w.write(fs.readFileSync(file));
  const stored = await store.commit(w, { source: 'stow', callingAe: null, calledAe: null });
  await stored.visible;
  return stored;
}

describe('retention', () => {
  it('deletes an old complete study with its files and logs it, and keeps a receiving one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'retention-'));
    const db = openDatabase(dataDir);
    const { log, events } = recordingLogger();
    const store = new InstanceStore(db, dataDir, 0, log);
    const ct = await Promise.all(['01.dcm', '02.dcm'].map((f) =>
      storeFile(store, path.join(testdata, 'dcmqi-ct3', f))));
    const mr = await storeFile(store, path.join(testdata, 'pydicom/MR_small.dcm'));
    const now = Date.now();
    // Complete the CT study only (its quiet period is over; the MR study stays "receiving" because
    // it is completed neither here nor by a count).
    db.prepare("UPDATE studies SET last_received_at = ? WHERE study_uid = ?").run(now - 10 * 86_400_000,
      ct[0].studyUid);
    db.prepare("UPDATE series SET last_received_at = ? WHERE study_uid = ?").run(now - 10 * 86_400_000, ct[0].studyUid);
    sweepQuietPeriods(db, { seriesMs: 9 * 86_400_000, studyMs: 9 * 86_400_000 }, now);
    db.prepare("UPDATE studies SET last_received_at = ? WHERE study_uid = ?").run(now - 10 * 86_400_000, mr.studyUid);

    const removed = await applyRetention(db,
      { studiesDir: path.join(dataDir, 'studies'), resultsDir: path.join(dataDir, 'results') }, 7, log, now);

    expect(removed).toBe(1);
    for (const s of ct) expect(fs.existsSync(s.path)).toBe(false);
    expect(fs.existsSync(path.dirname(ct[0].path))).toBe(false);
    expect(fs.existsSync(mr.path)).toBe(true);
    expect(db.prepare('SELECT COUNT(*) AS n FROM instances WHERE study_uid = ?').get(ct[0].studyUid)).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM studies').get()).toEqual({ n: 1 });
    const logged = events.find((e) => e.event === 'retention.removed');
    expect(logged?.fields).toMatchObject({ studyUid: ct[0].studyUid, instances: 2 });
    await store.close();
    db.close();
  });
});
