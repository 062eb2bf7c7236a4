// Worker-thread entry of review/: one request (previews, or a rejection note, from stored files), then it ends.
import { answerRequests } from '../worker-start.js';
import { renderPreviewsOfFiles, type PreviewFilesReply, type PreviewFilesRequest } from './preview-files.js';
import {
  rejectionNoteOfFiles, type RejectionNoteFilesReply, type RejectionNoteFilesRequest,
} from './rejection-note-files.js';

export type ReviewWorkerRequest =
  | ({ kind: 'preview' } & PreviewFilesRequest)
  | ({ kind: 'rejectionNote' } & RejectionNoteFilesRequest);

answerRequests(async (r: ReviewWorkerRequest): Promise<PreviewFilesReply | RejectionNoteFilesReply> => {
  try {
    if (r.kind === 'preview') return { ok: true, previews: await renderPreviewsOfFiles(r.seriesFiles, r.segFile) };
    const { kind: _kind, ...request } = r;
    return { ok: true, note: rejectionNoteOfFiles(request) };
  } catch (err) {
    // refusals of the volume loader, SEG reader and encoder keep their own codes; anything else is a bug here
    const code = (err as { code?: unknown })?.code;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)
      ? { ok: false, code, message: String((err as Error).message).replace(`${code}: `, '') }
      : { ok: false, code: 'REVIEW_WORKER_FAILED', message: (err as Error)?.message ?? String(err) };
  }
}, { once: true });
