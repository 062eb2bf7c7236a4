// At start, before anything listens: every instance committed to the journal but not yet released
// is made into its final file and row again, exactly once. The row's received_at (fixed when the
// instance was acknowledged) tells whether an earlier run already indexed this copy.
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database.js';
import { instanceReceivedAt } from '../db/instances.js';
import type { Logger } from '../log/logger.js';
import { inspect, type StoreContext } from './inspect.js';
import { Kind } from './journal-record.js';
import type { ReceiveJournal, ScannedRecord } from './journal.js';
import type { Placement } from './placement.js';
import { syncFileSystemSync } from './syncfs.js';

/** What a commit record carries besides the bytes: enough to index the instance as first received. */
export interface CommitMeta { ctx: StoreContext; receivedAt: number; size: number }

export type IndexFn = (stored: { path: string; size: number } & ReturnType<typeof inspect>, ctx: StoreContext,
  receivedAt: number) => void;

export function replayJournal(journal: ReceiveJournal, db: Db, placement: Placement, tmpDir: string, index: IndexFn,
  log: Logger): void {
  const fragments = new Map<number, ScannedRecord[]>();
  let replayed = 0;
  let skipped = 0;
  for (const rec of journal.found) {
    if (rec.kind === Kind.Fragment) {
      const list = fragments.get(rec.txid) ?? [];
      list.push(rec);
      fragments.set(rec.txid, list);
      continue;
    }
    const meta = JSON.parse(journal.read(rec.payloadAt, rec.length).toString('utf8')) as CommitMeta;
    const bytes = assemble(journal, fragments.get(rec.txid) ?? [], meta.size);
    fragments.delete(rec.txid);
    if (!bytes) { // every record checks by itself; this catches a missing fragment
      log.error('store.journal.replayed',
        { txid: rec.txid, outcome: 'corrupt', reason: 'journaled bytes do not match their commit record' });
      continue;
    }
    const temp = path.join(tmpDir, `replay-${rec.txid}.part`);
    fs.writeFileSync(temp, bytes, { mode: 0o640 });
    let header;
    try {
      header = inspect(temp, meta.ctx);
    } catch (err) {
      fs.rmSync(temp);
      log.error('store.journal.replayed', { txid: rec.txid, outcome: 'corrupt', reason: (err as Error).message });
      continue;
    }
    const known = instanceReceivedAt(db, header.sopInstanceUid);
    if (known !== undefined && known > meta.receivedAt) { // a newer copy is stored
      fs.rmSync(temp);
      skipped++;
      continue;
    }
    const finalPath = placement.placeSync(temp, header.studyUid, header.seriesUid, header.sopInstanceUid);
    if (known !== meta.receivedAt) index({ ...header, path: finalPath, size: bytes.length }, meta.ctx, meta.receivedAt);
    replayed++;
  }
  if (journal.found.length) {
    syncFileSystemSync(path.dirname(tmpDir));
    log.info('store.journal.replayed', { instances: replayed, superseded: skipped, records: journal.found.length });
  }
  journal.resetAfterReplay();
}

function assemble(journal: ReceiveJournal, parts: ScannedRecord[], size: number): Buffer | undefined {
  const out = Buffer.alloc(size);
  let filled = 0;
  for (const p of parts) {
    if (p.offset + p.length > size) return undefined;
    journal.read(p.payloadAt, p.length).copy(out, p.offset);
    filled += p.length;
  }
  return filled === size ? out : undefined;
}
