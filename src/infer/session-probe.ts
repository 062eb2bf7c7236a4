// Checks at start-up that onnxruntime opens a model, in a short-lived child process: the node learns the provider
// (and logs any fallback) without keeping a session or a worker thread in its own memory until a job needs one.
import { forkSibling } from '../worker-start.js';
import { InferenceError } from './errors.js';
import type { ModelManifest } from './manifest.js';

export interface ProbeRequest { modelPath: string; manifest: ModelManifest; intraOpNumThreads: number }
export type ProbeReply =
  | { ok: true; provider: string; fallbacks: Array<{ provider: string; message: string }> }
  | { ok: false; message: string };

/** Resolves with the provider onnxruntime opened the model on; rejects with MODEL_LOAD_FAILED. */
export function probeSession(request: ProbeRequest): Promise<Extract<ProbeReply, { ok: true }>> {
  const child = forkSibling(import.meta.url, 'session-probe-process');
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr = (stderr + d).slice(-2000); });
  return new Promise((resolve, reject) => {
    let reply: ProbeReply | undefined;
    const fail = (message: string) =>
      reject(new InferenceError('MODEL_LOAD_FAILED', `model ${request.manifest.id}: ${message}`));
    child.once('message', (m: ProbeReply) => { reply = m; });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => {
      if (reply?.ok) resolve(reply);
      else if (reply) fail(reply.message);
      else fail(`the session probe exited (${signal ?? `code ${code}`}) without answering: ${stderr.trim()}`);
    });
    child.send(request);
  });
}
