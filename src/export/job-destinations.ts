// Where a job's objects go: destination ids from the rule, with `reply-to-sender` resolved to the
// dimse destination whose AE title is the calling AE the study arrived from.
import type { Db } from '../db/database.js';
import { getDestination, listDestinations } from '../db/destinations.js';
import { callingAesOfStudy } from '../db/instances.js';

/** Why a job's destinations cannot be resolved: the result waits (awaiting-destination) until an admin fixes it. */
export class DestinationError extends Error {
  constructor(readonly code: 'NO_REPLY_DESTINATION' | 'DESTINATION_NOT_FOUND', reason: string) {
    super(`${code}: ${reason}`);
    this.name = 'DestinationError';
  }
}

export const REPLY_TO_SENDER = 'reply-to-sender';

/** Destination ids (deduplicated) for a job of `studyUid`; throws a DestinationError naming what an admin must add. */
export function resolveDestinations(db: Db, studyUid: string, requested: string[]): string[] {
  const ids = new Set<string>();
  for (const id of requested) {
    if (id === REPLY_TO_SENDER) for (const d of replyDestinations(db, studyUid)) ids.add(d);
    else if (getDestination(db, id)) ids.add(id);
    else throw new DestinationError('DESTINATION_NOT_FOUND',
      `the rule sends to destination "${id}", which does not exist; create it or change the rule`);
  }
  return [...ids];
}

function replyDestinations(db: Db, studyUid: string): string[] {
  const callingAes = callingAesOfStudy(db, studyUid);
  if (callingAes.length === 0) throw new DestinationError('NO_REPLY_DESTINATION',
    'the study did not arrive over DIMSE, so it has no sender AE title to reply to; name a destination in the rule');
  const all = listDestinations(db);
  return callingAes.map((ae) => {
    const d = all.find((x) => x.type === 'dimse' && x.aeTitle === ae);
    if (!d) throw new DestinationError('NO_REPLY_DESTINATION',
      `no destination with AE title ${ae}; add one with the sender's host and port`);
    return d.id;
  });
}
