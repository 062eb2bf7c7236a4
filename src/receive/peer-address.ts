// Who is calling, as the allow-lists see it: one spelling per address, and the DIMSE caller rules.
import type { CallerRule } from '../config/schema.js';

/** IPv4 peers on a dual-stack socket appear as ::ffff:a.b.c.d; ::1 counts as 127.0.0.1. */
export function normaliseHost(h: string | undefined): string {
  if (!h) return '';
  return h.startsWith('::ffff:') ? h.slice(7) : h === '::1' ? '127.0.0.1' : h;
}

export function callerAllowed(rules: CallerRule[], callingAe: string, host: string): boolean {
  return rules.some((r) => (r.aeTitle === '*' || r.aeTitle === callingAe)
    && (!r.host || normaliseHost(r.host) === host));
}
