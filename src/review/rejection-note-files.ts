// Rejection note of a stored result: the delivered SEG/SR files → an IOCM Rejection Note, in a worker thread (a
// large SEG's header, its per-frame groups, is parsed there, not on the event loop).
import fs from 'node:fs';
import { readHeaderBytes } from '../dicom/header-bytes.js';
import { parsePart10 } from '../infer/volume/dcm.js';
import { encodeRejectionNote, type RejectionNoteRequest, type RejectionNoteResult } from '../encode/rejection-note.js';
import { RequestWorker } from '../worker-start.js';
import { ReviewError } from './errors.js';

export type RejectionNoteFilesRequest = Omit<RejectionNoteRequest, 'rejected'> & { rejectedFiles: string[] };
export type RejectionNoteFilesReply = { ok: true; note: RejectionNoteResult }
  | { ok: false; code: string; message: string };

/**
 * Reads the rejected objects' headers from their files and encodes the note off this thread. Refusals keep their
 * code (ENC_REJECTED_OBJECTS, ENC_REJECTION_REASON, ENC_UID_ROOT, REJECTION_NOTE_READ for an unreadable file).
 */
export async function encodeRejectionNoteFromFiles(request: RejectionNoteFilesRequest): Promise<RejectionNoteResult> {
  const worker = new RequestWorker<{ kind: 'rejectionNote' } & RejectionNoteFilesRequest, RejectionNoteFilesReply>(
    import.meta.url, 'review-worker',
    (reason) => new ReviewError('REVIEW_WORKER_FAILED', `rejection note ${reason}`));
  try {
    const reply = await worker.ask({ kind: 'rejectionNote', ...request });
    if (!reply.ok) throw new ReviewError(reply.code, reply.message);
    return reply.note;
  } finally {
    worker.stop();
  }
}

/** The work itself, on whichever thread calls it. */
export function rejectionNoteOfFiles({ rejectedFiles, ...rest }: RejectionNoteFilesRequest): RejectionNoteResult {
  return encodeRejectionNote({ ...rest, rejected: rejectedFiles.map(readRejectedHeader) });
}

function readRejectedHeader(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new ReviewError('REJECTION_NOTE_READ', `rejected object file ${file} does not exist`);
  try {
    return parsePart10(readHeaderBytes(file), true).dataset;
  } catch (err) {
    throw new ReviewError('REJECTION_NOTE_READ',
      `rejected object file ${file} is not readable DICOM (${(err as Error).message})`);
  }
}
