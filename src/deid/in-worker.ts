// De-identifies files, or re-identifies an external service's answer, in a one-shot worker thread: hundreds of
// slices are read and rewritten off the event loop (deid-worker.ts). Only the mapping look-up (the database) stays
// on this thread.
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../worker-start.js';
import { type DeidErrorCode, DeidError } from './errors.js';
import type { DeidResult } from './deidentify.js';
import type { DeidProfile } from './profile.js';
import type { ReidFileOutcome, ReidWorkerRequest } from './reidentify-files.js';

export interface DeidWorkerRequest {
  kind?: 'deidentify'; files: Array<{ from: string; to: string }>; profile: Partial<DeidProfile>; keyBase64: string;
}
type Failure = { ok: false; code: DeidErrorCode; message: string };
export type DeidentifiedFile = Omit<DeidResult, 'bytes'> & { path: string; size: number };
export type DeidWorkerReply = { ok: true; files: DeidentifiedFile[] } | Failure;
export type ReidWorkerReply = { ok: true; files: ReidFileOutcome[] } | Failure;
/** What the worker posts: its one answer, or (re-identification) the UIDs it needs the originals of. */
export type WorkerMessage = ({ kind: 'deidentified' } & DeidWorkerReply) | ({ kind: 'reidentified' } & ReidWorkerReply)
  | { kind: 'look-up'; uids: string[] };

export function deidentifyFilesInWorker(req: DeidWorkerRequest): Promise<DeidentifiedFile[]> {
  return answerOf(startSiblingWorker(import.meta.url, 'deid-worker', { ...req, kind: 'deidentify' }), () => ({}))
    .then((m) => (m.kind === 'deidentified' && m.ok ? m.files : []));
}

/** `lookUp` answers, on this thread, which of the pseudonymous UIDs the mapping knows (pseudonym → original). */
export function reidentifyFilesInWorker(req: Omit<ReidWorkerRequest, 'kind'>,
  lookUp: (pseudonyms: string[]) => Record<string, string>): Promise<ReidFileOutcome[]> {
  return answerOf(startSiblingWorker(import.meta.url, 'deid-worker', { ...req, kind: 'reidentify' }), lookUp)
    .then((m) => (m.kind === 'reidentified' && m.ok ? m.files : []));
}

function answerOf(worker: Worker, lookUp: (pseudonyms: string[]) => Record<string, string>): Promise<WorkerMessage> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const fail = (err: Error) => { answered = true; reject(err); void worker.terminate(); };
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'look-up') {
        try { worker.postMessage(lookUp(m.uids)); } catch (err) { fail(err as Error); }
        return;
      }
      answered = true;
      if (m.ok) resolve(m);
      else reject(new DeidError(m.code, m.message.replace(/^[A-Z_]+: /, '')));
    });
    worker.once('error', (err) => fail(new DeidError('DEID_WORKER_FAILED', err.message)));
    worker.once('exit', (code) => {
      if (!answered) reject(new DeidError('DEID_WORKER_FAILED', `worker exited with code ${code}`));
    });
  });
}
