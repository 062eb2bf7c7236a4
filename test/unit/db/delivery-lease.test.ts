// Delivery leases on a real SQLite database: a batch whose lease ran out cannot renew or settle
// rows that a newer claim holds, even when the attempt count repeats after a replay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/database.js';
import { openTestDatabase } from '../../support/postgres.js';
import {
  claimDeliveries, getDelivery, insertDeliveries, markDelivered, markFinal, markRetry, releaseExpiredLeases,
  renewDeliveryLeases, replayDelivery,
} from '../../../src/db/deliveries.js';

let db: Db;
beforeEach(() => {
  db = openTestDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'delivery-lease-')));
  insertDeliveries(db, [{ jobId: null, destinationId: 'pacs', path: '/x.dcm', sopClassUid: '1.2',
    sopInstanceUid: '1.2.3', transferSyntaxUid: '1.2.840.10008.1.2.1' }], 0);
});

describe('delivery leases', () => {
  it('a heartbeat keeps the claim past its first lease; an expired claim is released', () => {
    const [row] = claimDeliveries(db, 'pacs', 10, 1000, 0);
    expect(renewDeliveryLeases(db, row.leaseToken!, 5000)).toBe(1);
    expect(releaseExpiredLeases(db, 2000)).toBe(0);
    expect(getDelivery(db, row.id)).toMatchObject({ state: 'sending', leaseUntil: 5000 });
    expect(releaseExpiredLeases(db, 6000)).toBe(1);
    expect(getDelivery(db, row.id)).toMatchObject({ state: 'pending', leaseToken: null });
  });

  it('a stale batch settles nothing that a newer claim holds', () => {
    const [stale] = claimDeliveries(db, 'pacs', 10, 1000, 0);
    releaseExpiredLeases(db, 2000);
    const [fresh] = claimDeliveries(db, 'pacs', 10, 10_000, 2000);
    expect(fresh.leaseToken).not.toBe(stale.leaseToken);
    expect(renewDeliveryLeases(db, stale.leaseToken!, 99_000)).toBe(0);
    expect(markRetry(db, stale, 3000, 'stale failure', 2500)).toBe(false);
    expect(markFinal(db, stale, 'dead', 'stale failure', 2500)).toBe(false);
    expect(markDelivered(db, stale, 2500)).toBe(false);
    expect(getDelivery(db, fresh.id)).toMatchObject(
      { state: 'sending', attempts: 2, leaseUntil: 10_000, lastError: null });
    expect(markDelivered(db, fresh, 3000)).toBe(true);
    expect(getDelivery(db, fresh.id)).toMatchObject({ state: 'delivered', deliveredAt: 3000, leaseToken: null });
  });

  it('tells claims apart after a replay resets the attempt count', () => {
    const [first] = claimDeliveries(db, 'pacs', 10, 1000, 0);
    markFinal(db, first, 'dead', 'gave up', 500);
    expect(replayDelivery(db, first.id, 600)).toBe(true);
    const [again] = claimDeliveries(db, 'pacs', 10, 5000, 700);
    expect(again.attempts).toBe(first.attempts); // the count alone would not tell them apart
    expect(markDelivered(db, first, 800)).toBe(false);
    expect(getDelivery(db, again.id)?.state).toBe('sending');
  });
});
