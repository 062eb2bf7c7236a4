// Circuit breaker keyed by peer (in memory), shared by the outbox (per destination) and remote inference (per model):
// after N consecutive transient failures the peer rests for a cool-down, then one probe decides whether it is back.
export type Gate = 'closed' | 'probe' | 'blocked';
type State = { failures: number; openUntil?: number; probing: boolean };

export class CircuitBreakers {
  private readonly states = new Map<string, State>();
  constructor(private readonly failures: number, private readonly coolDownMs: number) {}

  /** May a batch for this destination start now? 'probe' means: one object, and nothing else until it is back. */
  admit(destinationId: string, now: number): Gate {
    const s = this.states.get(destinationId);
    if (!s || s.openUntil === undefined) return 'closed';
    if (s.probing || now < s.openUntil) return 'blocked';
    s.probing = true;
    return 'probe';
  }

  /** Open: resting, or waiting for its probe (for status pages; admit() is what decides). */
  isOpen(peerId: string): boolean {
    return this.states.get(peerId)?.openUntil !== undefined;
  }

  /** The probe found nothing to send: the next due row may probe. */
  cancelProbe(destinationId: string): void {
    const s = this.states.get(destinationId);
    if (s) s.probing = false;
  }

  /** Returns 'opened' / 'closed' when the state changed, for the log. */
  record(destinationId: string, ok: boolean, now: number): 'opened' | 'closed' | undefined {
    const s = this.states.get(destinationId) ?? { failures: 0, probing: false };
    this.states.set(destinationId, s);
    const wasOpen = s.openUntil !== undefined;
    s.probing = false;
    if (ok) {
      s.failures = 0;
      s.openUntil = undefined;
      return wasOpen ? 'closed' : undefined;
    }
    s.failures++;
    if (wasOpen || s.failures >= this.failures) {
      s.openUntil = now + this.coolDownMs;
      return wasOpen ? undefined : 'opened';
    }
    return undefined;
  }

  /** When the earliest open circuit may probe again. */
  nextProbeAt(): number | undefined {
    const times =
      [...this.states.values()].filter((s) => s.openUntil !== undefined && !s.probing).map((s) => s.openUntil!);
    return times.length ? Math.min(...times) : undefined;
  }
}
