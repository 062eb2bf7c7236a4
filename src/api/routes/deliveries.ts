// Deliveries admin API: list the outbox (filter by state, job, destination) and replay dead or
// permanently failed deliveries, one audit row per replay.
import express from 'express';
import { recordAudit } from '../../db/audit.js';
import { transaction, type Db } from '../../db/database.js';
import { DELIVERY_STATES, getDelivery, listDeliveries, replayDelivery, type DeliveryState }
  from '../../db/deliveries.js';
import type { Outbox } from '../../export/outbox.js';
import { problem } from '../../http/problem.js';

export function deliveriesRouter(db: Db, outbox: Outbox): express.Router {
  const r = express.Router();
  r.get('/', (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const problems: Array<{ path: string; message: string }> = [];
    if (q.state !== undefined && !DELIVERY_STATES.includes(q.state as DeliveryState)) problems.push({ path: 'state',
      message: `must be one of ${DELIVERY_STATES.join(', ')}` });
    const jobId = q.jobId === undefined ? undefined : Number(q.jobId);
    if (jobId !== undefined && !Number.isInteger(jobId)) problems.push({ path: 'jobId',
      message: 'must be an integer' });
    const limit = q.limit === undefined ? 100 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) problems.push({ path: 'limit',
      message: 'must be an integer from 1 to 1000' });
    if (problems.length) return problem(res, 400, 'DELIVERY_QUERY_INVALID', 'the query is invalid', problems);
    res.json(listDeliveries(db,
      { state: q.state as DeliveryState | undefined, jobId, destinationId: q.destinationId, limit }).map(view));
  });
  r.post('/:id/replay', (req, res) => {
    const id = Number(req.params.id);
    const before = Number.isInteger(id) ? getDelivery(db, id) : undefined;
    if (!before) return problem(res, 404, 'DELIVERY_NOT_FOUND', `no delivery '${req.params.id}'`);
    const after = transaction(db, () => {
      if (!replayDelivery(db, id)) return undefined;
      const now = getDelivery(db, id)!;
      recordAudit(db, res.locals.actor, 'replay', `delivery:${id}`, view(before), view(now));
      return now;
    });
    if (!after) return problem(res, 409, 'DELIVERY_STATE',
      `delivery ${id} is ${before.state}; only dead or failed-permanent deliveries can be replayed`);
    outbox.kick();
    res.json(view(after));
  });
  return r;
}

/** Times as ISO strings for people and the admin page. */
function view(d: NonNullable<ReturnType<typeof getDelivery>>) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return { ...d, nextAttemptAt: iso(d.nextAttemptAt), leaseUntil: iso(d.leaseUntil), createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt), deliveredAt: iso(d.deliveredAt) };
}
