// Retry policy of the outbox: which failures are worth retrying, and when the next attempt is due.
import type { NodeConfig } from '../config/schema.js';

/** What one object's delivery attempt came to. */
export type Outcome = { kind: 'delivered' } | { kind: 'transient'; reason: string }
  | { kind: 'permanent'; reason: string };

export const delivered: Outcome = { kind: 'delivered' };
export const transient = (reason: string): Outcome => ({ kind: 'transient', reason });
export const permanent = (reason: string): Outcome => ({ kind: 'permanent', reason });

/**
 * C-STORE response status (PS3.7 C): success and warnings delivered, 0xA7xx (out of resources) retried, the rest final.
 */
export function classifyDimseStatus(status: number): Outcome {
  const hex = `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;
  if (status === 0x0000) return delivered;
  if ((status & 0xf000) === 0xb000) return delivered;
  if ((status & 0xff00) === 0xa700) return transient(`C-STORE status ${hex} (out of resources)`);
  if (status === 0x0122) return permanent(`C-STORE status ${hex} (SOP class not supported)`);
  return permanent(`C-STORE status ${hex}`);
}

/** An HTTP status for a whole STOW-RS request: 408, 429 and 5xx are worth another try, other 4xx are not. */
export function classifyHttpStatus(status: number, detail = ''): Outcome {
  const reason = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  if (status >= 200 && status < 300) return delivered;
  if (status === 408 || status === 429 || status >= 500) return transient(reason);
  return permanent(reason);
}

/**
 * Delay before the next attempt after `attempts` failed ones: base·2^(attempts-1) capped at max,
 * then ±20 % jitter so deliveries that failed together do not come back together.
 */
export function retryDelayMs(attempts: number, retry: NodeConfig['export']['retry'],
  random: () => number = Math.random): number {
  const exponent = Math.max(0, attempts - 1);
  const seconds = Math.min(retry.maxSeconds, retry.baseSeconds * 2 ** Math.min(exponent, 52));
  const jitter = 1 + (random() * 2 - 1) * 0.2;
  return Math.round(seconds * 1000 * jitter);
}
