// Prometheus metrics at /metrics: counts read from the durable tables at scrape time (so they survive
// restarts and agree with the API), stage-duration histograms, event-loop delay and process metrics.
import type { RequestHandler } from 'express';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { countCompletions } from '../db/completions.js';
import { readCounters } from '../db/counters.js';
import { type Db } from '../db/database.js';
import { isPostgres } from '../db/postgres.js';
import { countDeliveriesByState, DELIVERY_STATES } from '../db/deliveries.js';
import { countJobsByState, JOB_STATES } from '../db/jobs.js';
import { countResultsByState, RESULT_STATES } from '../db/results.js';
import { liveRegistry } from './stage-durations.js';

export { observeStage } from './stage-durations.js';


let processWide: { registry: Registry; loopDelay: IntervalHistogram } | undefined;

/** `node`: this node's id, on dain_node_info (several nodes' scrapes share the queue gauges, which are global). */
export function metricsHandler(db: Db, node = ''): RequestHandler {
  const shared = startProcessMetrics();
  const fromDb = databaseMetrics(db);
  new Gauge({ name: 'dain_node_info', help: 'This node: its id and database backend',
    labelNames: ['node', 'backend'] as const, registers: [fromDb] })
    .set({ node, backend: isPostgres(db) ? 'postgres' : 'sqlite' }, 1);
  return async (_req, res, next) => {
    try {
      const registry = Registry.merge([shared.registry, liveRegistry, fromDb]);
      res.type(registry.contentType).send(await registry.metrics());
    } catch (err) {
      next(err);
    }
  };
}

function databaseMetrics(db: Db): Registry {
  const registry = new Registry();
  new Counter({
    name: 'dain_instances_received_total', help: 'DICOM instances stored (new and replaced), from the counters table',
    registers: [registry],
    collect() {
      const c = readCounters(db); this.reset(); this.inc((c.instances_stored ?? 0) + (c.instances_replaced ?? 0));
    },
  });
  new Counter({
    name: 'dain_studies_completed_total', help: 'Study completions (each revision of a study counts once)',
    registers: [registry],
    collect() { this.reset(); this.inc(countCompletions(db)); },
  });
  new Gauge({
    name: 'dain_jobs', help: 'Jobs by state', labelNames: ['state'] as const, registers: [registry],
    collect() { const m = countJobsByState(db); for (const s of JOB_STATES) this.set({ state: s }, m.get(s) ?? 0); },
  });
  new Gauge({
    name: 'dain_deliveries', help: 'Deliveries (object × destination) by state',
    labelNames: ['state'] as const, registers: [registry],
    collect() {
      const m = countDeliveriesByState(db); for (const s of DELIVERY_STATES) this.set({ state: s }, m.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'dain_results', help: 'Results by state (awaiting-review is the review queue)',
    labelNames: ['state'] as const, registers: [registry],
    collect() {
      const m = countResultsByState(db); for (const s of RESULT_STATES) this.set({ state: s }, m.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'dain_queue_depth', help: 'Work waiting: pending jobs and pending deliveries',
    labelNames: ['queue'] as const, registers: [registry],
    collect() {
      this.set({ queue: 'jobs' }, countJobsByState(db).get('pending') ?? 0);
      this.set({ queue: 'deliveries' }, countDeliveriesByState(db).get('pending') ?? 0);
    },
  });
  return registry;
}

/** Default process metrics and the event-loop delay, once per process (several handlers share them). */
function startProcessMetrics(): { registry: Registry; loopDelay: IntervalHistogram } {
  if (processWide) return processWide;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dain_' });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  new Gauge({
    name: 'dain_event_loop_delay_seconds', help: 'Event-loop delay since the previous scrape (p50, p99, max)',
    labelNames: ['quantile'] as const, registers: [registry],
    collect() {
      // The histogram records nanoseconds; reset so each scrape reports the interval since the last one.
      this.set({ quantile: '0.5' }, loopDelay.percentile(50) / 1e9);
      this.set({ quantile: '0.99' }, loopDelay.percentile(99) / 1e9);
      this.set({ quantile: 'max' }, loopDelay.max / 1e9);
      loopDelay.reset();
    },
  });
  return (processWide = { registry, loopDelay });
}
