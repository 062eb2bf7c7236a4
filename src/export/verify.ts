// "Verify" for a destination: its type's transport checks the peer (C-ECHO, or an HTTP request to a DICOMweb server).
import type { Destination } from './destination.js';
import { transportFor } from './transports.js';

export interface VerifyResult { ok: boolean; ms: number; detail: string }

export async function verifyDestination(d: Destination, callingAe: string, timeoutMs = 10_000): Promise<VerifyResult> {
  const started = Date.now();
  try {
    const detail = await transportFor(d).verify(d, callingAe, timeoutMs);
    return { ok: true, ms: Date.now() - started, detail };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, detail: (err as Error).message };
  }
}
