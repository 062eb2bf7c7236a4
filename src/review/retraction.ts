// Retraction of a delivered result: an IOCM Rejection Note (KOS, 113001 or 113037 with safety) built in a worker
// from the stored SEG/SR files, written durably beside them, then — in one transaction — the result retracted, the
// note recorded as a result object (kind KOS) and queued through the outbox to every destination that received the
// result. The note's UIDs derive from the rejected objects, so retracting again after a crash re-sends the same note.
import path from 'node:path';
import type { Db } from '../db/database.js';
import {
  destinationsThatReceived, insertResultObjects, objectsOfResult, transitionResult, type ResultObject, type ResultRow,
} from '../db/results.js';

import { enqueueDeliveries } from '../export/outbox.js';
import { writeFileDurably } from '../durable-file.js';
import { ReviewError } from './errors.js';
import { encodeRejectionNoteFromFiles } from './rejection-note-files.js';
import { SOP, TS } from '../dicom/uids.js';

export interface RetractionContext { db: Db; uidRoot: string; manufacturer: string }

/** Builds and stores the note; `commit` (call in the decision's transaction) retracts and queues it. */
export async function retractDelivered(ctx: RetractionContext, r: ResultRow, reason: string, safety: boolean) {
  const rejected = objectsOfResult(ctx.db, r.jobId, r.revision).filter((o) => o.kind !== 'KOS');
  if (rejected.length === 0) throw new ReviewError('REJECTION_NOTE_READ',
    `result ${r.id} has no stored SEG or SR to reject`);
  const note = await encodeRejectionNoteFromFiles({
    rejectedFiles: rejected.map((o) => o.path), resultId: rejected[0].sopInstanceUid, retraction: r.revision,
    uidRoot: ctx.uidRoot, safety, reason, manufacturer: ctx.manufacturer,
  });
  const file = path.join(path.dirname(rejected[0].path), 'rejection-note.dcm');
  const bytes = new Uint8Array(note.bytes.buffer, note.bytes.byteOffset, note.bytes.byteLength);
  await writeFileDurably(file, bytes);
  const kos: ResultObject = {
    kind: 'KOS', sopClassUid: SOP.keyObjectSelectionDocumentStorage, sopInstanceUid: note.sopInstanceUid,
    seriesInstanceUid: note.seriesInstanceUid, transferSyntaxUid: TS.explicitLittle, path: file, size: bytes.length,
  };
  return {
    kos,
    commit(current: ResultRow, actor: string): boolean {
      const destinations = destinationsThatReceived(ctx.db, current.id);
      const why = safety ? `${reason} (rejected for patient safety reasons)` : reason;
      if (!transitionResult(ctx.db, current.id, ['delivered'], 'retracted',
        { actor, action: 'retract', reason: why })) return false;
      insertResultObjects(ctx.db, current.jobId, [kos], current.revision);
      enqueueDeliveries(ctx.db, destinations.map((destinationId) => ({
        jobId: current.jobId, resultId: current.id, destinationId, path: kos.path, sopClassUid: kos.sopClassUid,
        sopInstanceUid: kos.sopInstanceUid, transferSyntaxUid: kos.transferSyntaxUid,
      })));
      return true;
    },
  };
}
