// How a failed KServe v2 request is classified (like the outbox's deliveries: 408, 429 and 5xx are worth another
// try, other 4xx are not), and the retry loop: inference is idempotent, so a transient failure is simply sent again.
import { InferenceError, type InferenceErrorCode } from '../errors.js';

/** A coded failure that says whether trying again may help. */
export class RemoteFailure extends InferenceError {
  constructor(code: InferenceErrorCode, message: string, readonly transient: boolean) {
    super(code, message);
  }
}

/** The rule of src/export/policy.ts classifyHttpStatus, applied to an inference server's answer. */
export function httpStatusFailure(status: number, detail: string): RemoteFailure {
  const reason = `HTTP ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return new RemoteFailure('KSERVE_UNAVAILABLE', reason, true);
  return new RemoteFailure('KSERVE_REJECTED', reason, false);
}

/** gRPC status codes (grpc/doc/statuscode.md) that mean "not now" rather than "never". */
const TRANSIENT_GRPC = new Map<number, string>([
  [1, 'CANCELLED'], [2, 'UNKNOWN'], [8, 'RESOURCE_EXHAUSTED'], [10, 'ABORTED'], [13, 'INTERNAL'], [14, 'UNAVAILABLE'],
]);

export function grpcStatusFailure(code: number, details: string): RemoteFailure {
  if (code === 4) return new RemoteFailure('KSERVE_TIMEOUT', `gRPC DEADLINE_EXCEEDED: ${details}`, true);
  const transientName = TRANSIENT_GRPC.get(code);
  if (transientName) return new RemoteFailure('KSERVE_UNAVAILABLE', `gRPC ${transientName}: ${details}`, true);
  return new RemoteFailure('KSERVE_REJECTED', `gRPC status ${code}: ${details}`, false);
}

/** The transport's own failures: an abort by our timeout, or the connection (refused, reset, DNS). */
export function networkFailure(error: unknown, timeoutMs: number, url: string): RemoteFailure {
  if (error instanceof RemoteFailure) return error;
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new RemoteFailure('KSERVE_TIMEOUT', `no answer from ${url} within ${timeoutMs} ms`, true);
  }
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return new RemoteFailure('KSERVE_UNAVAILABLE', `cannot reach ${url}: ${cause}`, true);
}

export interface RetryPolicy { retries: number; baseDelayMs: number; maxDelayMs: number }

/** Runs `request` until it succeeds, fails permanently, or has failed transiently 1 + retries times. */
export async function withRetries<T>(policy: RetryPolicy, request: () => Promise<T>,
  onRetry: (attempt: number, failure: RemoteFailure) => void = () => {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const failure =
        error instanceof RemoteFailure ? error : new RemoteFailure('KSERVE_BAD_RESPONSE', String(error), false);
      if (!failure.transient || attempt > policy.retries) {
        if (attempt > 1) failure.message = `${failure.message} (after ${attempt} attempts)`;
        throw failure;
      }
      onRetry(attempt, failure);
      const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
