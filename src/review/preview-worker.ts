// Worker-thread entry: source series files + stored SEG file → preview PNGs, off the main event loop (one request).
import { answerRequests } from '../worker-start.js';
import { renderPreviewsOfFiles, type PreviewFilesReply, type PreviewFilesRequest } from './preview-files.js';

answerRequests(async (r: PreviewFilesRequest): Promise<PreviewFilesReply> => {
  try {
    return { ok: true, previews: await renderPreviewsOfFiles(r.seriesFiles, r.segFile) };
  } catch (err) {
    // volume loader and SEG reader refusals keep their own codes; anything else is a bug in this worker
    const code = (err as { code?: unknown })?.code;
    return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)
      ? { ok: false, code, message: String((err as Error).message).replace(`${code}: `, '') }
      : { ok: false, code: 'REVIEW_WORKER_FAILED', message: (err as Error)?.message ?? String(err) };
  }
}, { once: true });
