// What a transport is: how one destination type sends a batch and verifies its peer (see transports.ts).
import type { Destination } from './destination.js';
import type { Outcome } from './policy.js';

/** A stored result file on its way out: sent as its bytes, in its stored transfer syntax. */
export interface OutgoingObject { path: string; sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string }

export interface Transport<D extends Destination> {
  /** Sends a batch in one association / request; one outcome per object, never throws. */
  send(d: D, objects: OutgoingObject[], callingAe: string): Promise<Outcome[]>;
  /** Checks the peer answers and accepts us; throws with the reason when it does not. */
  verify(d: D, callingAe: string, timeoutMs: number): Promise<string>;
}
