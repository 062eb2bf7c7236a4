// The reply an encode-stage worker sends instead of throwing: a coded EncodeError survives the thread boundary.
import { EncodeError, type EncodeErrorCode } from '../encode/errors.js';
import { QcError, type QcErrorCode } from '../qc/index.js';

export interface EncodeFailure { ok: false; code: EncodeErrorCode | QcErrorCode | 'ENC_WORKER_FAILED'; message: string }

export function encodeFailure(err: unknown): EncodeFailure {
  if (err instanceof EncodeError || err instanceof QcError)
    return { ok: false, code: err.code, message: err.message.slice(err.code.length + 2) };
  return { ok: false, code: 'ENC_WORKER_FAILED',
    message: `unexpected error while encoding: ${(err as Error)?.message ?? String(err)}` };
}
