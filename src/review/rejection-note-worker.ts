// Worker-thread entry: rejected SEG/SR files → IOCM Rejection Note bytes (one request, then the thread ends).
import { answerRequests } from '../worker-start.js';
import { rejectionNoteOfFiles, type RejectionNoteFilesReply, type RejectionNoteFilesRequest } from './rejection-note-files.js';

answerRequests((r: RejectionNoteFilesRequest): RejectionNoteFilesReply => {
  try {
    return { ok: true, note: rejectionNoteOfFiles(r) };
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)
      ? { ok: false, code, message: String((err as Error).message).replace(`${code}: `, '') }
      : { ok: false, code: 'REVIEW_WORKER_FAILED', message: (err as Error)?.message ?? String(err) };
  }
}, { once: true });
