// Worker thread: de-identifies a series' files (read, rewrite, write), off the event loop.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { deidentifyPart10 } from './deidentify.js';
import { DeidError } from './errors.js';
import { resolveProfile } from './profile.js';
import { KeyedPseudonymizer } from './pseudonyms.js';
import type { DeidWorkerReply, DeidWorkerRequest } from './in-worker.js';

const req = workerData as DeidWorkerRequest;
try {
  const pseudo = new KeyedPseudonymizer(Buffer.from(req.keyBase64, 'base64'));
  const profile = resolveProfile(req.profile);
  const files: Extract<DeidWorkerReply, { ok: true }>['files'] = [];
  for (const { from, to } of req.files) {
    const r = deidentifyPart10(fs.readFileSync(from), profile, pseudo);
    fs.writeFileSync(to, r.bytes);
    const { bytes, ...rest } = r;
    files.push({ ...rest, path: to, size: bytes.length });
  }
  parentPort!.postMessage({ ok: true, files } satisfies DeidWorkerReply);
} catch (err) {
  parentPort!.postMessage({ ok: false, code: err instanceof DeidError ? err.code : 'DEID_WORKER_FAILED', message: (err as Error).message } satisfies DeidWorkerReply);
}
