// De-identifies files in a one-shot worker thread: hundreds of slices are read and rewritten off the event loop.
import { startSiblingWorker } from '../worker-start.js';
import { type DeidErrorCode, DeidError } from './errors.js';
import type { DeidResult } from './deidentify.js';
import type { DeidProfile } from './profile.js';

export interface DeidWorkerRequest { files: Array<{ from: string; to: string }>; profile: Partial<DeidProfile>; keyBase64: string }
export type DeidWorkerReply =
  | { ok: true; files: Array<Omit<DeidResult, 'bytes'> & { path: string; size: number }> }
  | { ok: false; code: DeidErrorCode; message: string };

export function deidentifyFilesInWorker(req: DeidWorkerRequest): Promise<Extract<DeidWorkerReply, { ok: true }>['files']> {
  return new Promise((resolve, reject) => {
    const worker = startSiblingWorker(import.meta.url, 'deid-worker', req);
    let answered = false;
    worker.once('message', (reply: DeidWorkerReply) => {
      answered = true;
      if (reply.ok) resolve(reply.files);
      else reject(new DeidError(reply.code, reply.message.replace(/^[A-Z_]+: /, '')));
    });
    worker.once('error', (err) => { answered = true; reject(new DeidError('DEID_WORKER_FAILED', err.message)); });
    worker.once('exit', (code) => { if (!answered) reject(new DeidError('DEID_WORKER_FAILED', `worker exited with code ${code}`)); });
  });
}
