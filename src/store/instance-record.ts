// Records a stored instance on both commit paths: its StoredInstance, its row + arrival (one transaction), its log.
import { recordArrival, type CompletionEvent } from '../assemble/completion.js';
import { bumpCounter } from '../db/counters.js';
import { transaction, type Db } from '../db/database.js';
import { upsertInstance } from '../db/instances.js';
import type { Logger } from '../log/logger.js';
import type { InspectedHeader, StoreContext } from './inspect.js';
import { finalPathOf } from './placement.js';

export interface StoredInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  studyUid: string;
  seriesUid: string;
  transferSyntaxUid: string;
  size: number;
  path: string;
  replaced: boolean;
  /** Resolves once the file and row exist (readers and completion see the instance). */
  visible: Promise<void>;
}

export function storedOf(studiesDir: string, h: InspectedHeader, size: number): StoredInstance {
  const { values: _values, ...ids } = h;
  return { ...ids, size, path: finalPathOf(studiesDir, h.studyUid, h.seriesUid, h.sopInstanceUid),
    replaced: false, visible: Promise.resolve() };
}

export function logStored(log: Logger, stored: StoredInstance, ctx: StoreContext, started: number): void {
  log.info(stored.replaced ? 'store.instance.replaced' : 'store.instance.stored', {
    source: ctx.source, callingAe: ctx.callingAe, studyUid: stored.studyUid, seriesUid: stored.seriesUid,
    sopInstanceUid: stored.sopInstanceUid, transferSyntax: stored.transferSyntaxUid, bytes: stored.size,
    ms: Date.now() - started,
  });
}

export function index(db: Db,
  stored: { path: string; size: number; replaced?: boolean } & Omit<InspectedHeader, 'values'>,
  values: Record<string, string>, ctx: StoreContext, receivedAt: number): CompletionEvent[] {
  return transaction(db, () => {
    const { replaced } = upsertInstance(db, {
      sopInstanceUid: stored.sopInstanceUid, sopClassUid: stored.sopClassUid, studyUid: stored.studyUid,
      seriesUid: stored.seriesUid, patientId: values.PatientID ?? null, transferSyntaxUid: stored.transferSyntaxUid,
      size: stored.size, path: stored.path,
      callingAe: ctx.callingAe, calledAe: ctx.calledAe, source: ctx.source, receivedAt,
    });
    stored.replaced = replaced;
    bumpCounter(db, replaced ? 'instances_replaced' : 'instances_stored');
    return recordArrival(db, { studyUid: stored.studyUid, seriesUid: stored.seriesUid, values,
      source: ctx.source, callingAe: ctx.callingAe, receivedAt });
  });
}
