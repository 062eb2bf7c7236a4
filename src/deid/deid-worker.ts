// Worker thread: de-identifies a series' files, or re-identifies an external service's answer (read, rewrite,
// write), off the event loop. Re-identification asks its parent once for the originals of the UIDs it met.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { deidentifyPart10 } from './deidentify.js';
import { DeidError } from './errors.js';
import { resolveProfile } from './profile.js';
import { KeyedPseudonymizer } from './pseudonyms.js';
import { reidentifyFiles, type ReidWorkerRequest } from './reidentify-files.js';
import type { DeidWorkerReply, DeidWorkerRequest, WorkerMessage } from './in-worker.js';

const req = workerData as DeidWorkerRequest | ReidWorkerRequest;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);
void answer().catch((err: unknown) => {
  const code = err instanceof DeidError ? err.code : 'DEID_WORKER_FAILED';
  const kind = req.kind === 'reidentify' ? 'reidentified' : 'deidentified';
  post({ kind, ok: false, code, message: (err as Error).message });
});

async function answer(): Promise<void> {
  if (req.kind !== 'reidentify') return post({ kind: 'deidentified', ...deidentify(req) });
  const lookUp = (uids: string[]) => new Promise<Record<string, string>>((resolve) => {
    parentPort!.once('message', (originals: Record<string, string>) => resolve(originals));
    post({ kind: 'look-up', uids });
  });
  post({ kind: 'reidentified', ok: true, files: await reidentifyFiles(req, lookUp) });
}

function deidentify(r: DeidWorkerRequest): DeidWorkerReply {
  const pseudo = new KeyedPseudonymizer(Buffer.from(r.keyBase64, 'base64'));
  const profile = resolveProfile(r.profile);
  const files: Extract<DeidWorkerReply, { ok: true }>['files'] = [];
  for (const { from, to } of r.files) {
    const out = deidentifyPart10(fs.readFileSync(from), profile, pseudo);
    fs.writeFileSync(to, out.bytes);
    const { bytes, ...rest } = out;
    files.push({ ...rest, path: to, size: bytes.length });
  }
  return { ok: true, files };
}
