// The outbox: delivers result objects and forwarded studies to destinations with durable retries.
// Rows are claimed with a lease (a crash leaves them to be claimed again), sent in batches (one
// association / one STOW-RS request each), and settled per object: delivered, retried with
// backoff, dead after maxAttempts, or failed-permanent with the reason.
import cron from 'node-cron';
import type { NodeConfig } from '../config/schema.js';
import { transaction, type Db } from '../db/database.js';
import {
  claimDeliveries, destinationsWithDueDeliveries, insertDeliveries, markDelivered, markFinal, markRetry, nextWakeAt,
  releaseExpiredLeases, renewDeliveryLeases,
  type DeliveryItem, type DeliveryRow,
} from '../db/deliveries.js';
import { getDestination } from '../db/destinations.js';
import { settleResultOfDelivery } from '../db/results.js';
import type { Logger } from '../log/logger.js';
import { CircuitBreakers } from '../circuit-breaker.js';
import type { Destination } from './destination.js';
import { permanent, retryDelayMs, type Outcome } from './policy.js';
import { transportFor } from './transports.js';

export interface Outbox {
  /** Look for due deliveries now (after new ones were enqueued). */
  kick(): void;
  stop(): Promise<void>;
}

/** Queues objects for delivery (inside the caller's transaction when one is open); returns how many rows are new. */
export function enqueueDeliveries(db: Db, items: DeliveryItem[]): number {
  return insertDeliveries(db, items);
}

const STOP_WAIT_MS = 10_000;
const MAX_TIMER_MS = 60_000;

export function startOutbox(db: Db, config: NodeConfig, log: Logger): Outbox {
  const cfg = config.export;
  const callingAe = cfg.callingAe || config.dicom.aeTitle;
  const circuits = new CircuitBreakers(cfg.circuit.failures, cfg.circuit.coolDownSeconds * 1000);
  const inFlight = new Map<string, number>();
  const sends = new Set<Promise<void>>();
  let stopping = false;
  let scheduled = false;
  let timer: NodeJS.Timeout | undefined;

  const kick = () => {
    if (stopping || scheduled) return;
    scheduled = true;
    setImmediate(() => { scheduled = false; tick(); });
  };
  const task = cron.schedule(cfg.schedule, kick);

  function tick(): void {
    if (stopping) return;
    const now = Date.now();
    try {
      releaseExpiredLeases(db, now);
      for (const destinationId of destinationsWithDueDeliveries(db, now)) startBatches(destinationId, now);
    } catch (err) {
      log.error('export.failed', { reason: `outbox tick: ${(err as Error).message}` });
    }
    armTimer();
  }

  function startBatches(destinationId: string, now: number): void {
    while ((inFlight.get(destinationId) ?? 0) < cfg.perDestinationConcurrency) {
      const gate = circuits.admit(destinationId, now);
      if (gate === 'blocked') return;
      const rows = claimDeliveries(db, destinationId, gate === 'probe' ? 1 : cfg.batchSize,
        now + cfg.leaseSeconds * 1000, now);
      if (!rows.length) {
        if (gate === 'probe') circuits.cancelProbe(destinationId);
        return;
      }
      inFlight.set(destinationId, (inFlight.get(destinationId) ?? 0) + 1);
      const send = sendBatch(destinationId, rows).finally(() => {
        inFlight.set(destinationId, (inFlight.get(destinationId) ?? 1) - 1);
        sends.delete(send);
        kick();
      });
      sends.add(send);
      if (gate === 'probe') return;
    }
  }

  async function sendBatch(destinationId: string, rows: DeliveryRow[]): Promise<void> {
    const d = getDestination(db, destinationId);
    const started = Date.now();
    const heartbeat = keepLease(rows[0].leaseToken!);
    let outcomes: Outcome[];
    try {
      outcomes = d ? await deliver(d, rows)
        : rows.map(() => permanent(`destination ${destinationId} no longer exists`));
    } catch (err) {
      outcomes = rows.map(() => permanent(`unexpected send error: ${(err as Error).message}`));
    } finally {
      clearInterval(heartbeat);
    }
    if (stopping && outcomes.every((o) => o.kind === 'transient')) return; // cut short by stop(): the leases expire
    settle(destinationId, rows, outcomes, Date.now() - started);
  }

  /** A slow peer or a large SEG outlives one lease: renew it while the batch sends, as the job runner does. */
  function keepLease(leaseToken: string): NodeJS.Timeout {
    const leaseMs = cfg.leaseSeconds * 1000;
    return setInterval(() => {
      try { renewDeliveryLeases(db, leaseToken, Date.now() + leaseMs); }
      catch { /* a missed beat only shortens the lease */ }
    }, Math.max(100, leaseMs / 3));
  }

  function deliver(d: Destination, rows: DeliveryRow[]): Promise<Outcome[]> {
    return transportFor(d).send(d, rows, callingAe);
  }

  function settle(destinationId: string, rows: DeliveryRow[], outcomes: Outcome[], ms: number): void {
    const now = Date.now();
    transaction(db, () => rows.forEach((row, i) => settleOne(row, outcomes[i], now)));
    const counts = { delivered: 0, transient: 0, permanent: 0 };
    outcomes.forEach((o) => counts[o.kind]++);
    if (counts.delivered) log.info('export.delivered', { destinationId, objects: counts.delivered,
      batch: rows.length, ms });
    const reachable = counts.delivered + counts.permanent > 0;
    const change = circuits.record(destinationId, reachable, now);
    if (change === 'opened') log.warn('export.circuit.open', { destinationId,
      coolDownSeconds: cfg.circuit.coolDownSeconds, reason: firstReason(outcomes) });
    if (change === 'closed') log.info('export.circuit.closed', { destinationId });
  }

  function settleOne(row: DeliveryRow, outcome: Outcome, now: number): void {
    const fields = { deliveryId: row.id, jobId: row.jobId, destinationId: row.destinationId,
      sopInstanceUid: row.sopInstanceUid, attempts: row.attempts };
    if (outcome.kind === 'delivered') {
      // the result's last delivery moves it to delivered (only when this claim still held the row)
      if (markDelivered(db, row, now)) settleResultOfDelivery(db, row.id, now);
      return;
    }
    if (outcome.kind === 'permanent') {
      markFinal(db, row, 'failed-permanent', outcome.reason, now);
      return log.warn('export.failed', { ...fields, state: 'failed-permanent', reason: outcome.reason });
    }
    if (row.attempts >= cfg.retry.maxAttempts) {
      markFinal(db, row, 'dead', `${outcome.reason} (gave up after ${row.attempts} attempts)`, now);
      return log.warn('export.failed', { ...fields, state: 'dead', reason: outcome.reason });
    }
    const delayMs = retryDelayMs(row.attempts, cfg.retry);
    markRetry(db, row, now + delayMs, outcome.reason, now);
    log.info('export.retry', { ...fields, delayMs, reason: outcome.reason });
  }

  /** Wakes up when the next retry falls due or a circuit may probe; the cron schedule is the safety net. */
  function armTimer(): void {
    clearTimeout(timer);
    const candidates = [nextWakeAt(db), circuits.nextProbeAt()].filter((t): t is number => t !== undefined);
    if (stopping || !candidates.length) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(10, Math.min(...candidates) - Date.now() + 5));
    timer = setTimeout(kick, delay);
    timer.unref();
  }

  kick();
  return {
    kick,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await task.stop();
      await Promise.race([Promise.allSettled([...sends]), new Promise((r) => setTimeout(r, STOP_WAIT_MS).unref())]);
    },
  };
}

function firstReason(outcomes: Outcome[]): string | undefined {
  const o = outcomes.find((x) => x.kind !== 'delivered');
  return o && 'reason' in o ? o.reason : undefined;
}
