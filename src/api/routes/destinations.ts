// Destinations admin API: CRUD (secrets masked on the way out), verify, and an audit row per write.
import express from 'express';
import { transaction, type Db } from '../../db/database.js';
import { recordAudit } from '../../db/audit.js';
import { deleteDestination, getDestination, listDestinations, putDestination } from '../../db/destinations.js';
import { currentRules } from '../../db/rule-versions.js';
import { masked, validateDestination } from '../../export/destination.js';
import { verifyDestination } from '../../export/verify.js';
import { problem } from '../../http/problem.js';

export function destinationsRouter(db: Db, callingAe: string): express.Router {
  const r = express.Router();
  r.get('/', (_req, res) => res.json(listDestinations(db).map(masked)));
  r.get('/:id', (req, res) => {
    const d = getDestination(db, req.params.id);
    return d ? res.json(masked(d)) : problem(res, 404, 'DESTINATION_NOT_FOUND', `no destination '${req.params.id}'`);
  });
  const save = (status: number) => (req: express.Request, res: express.Response) => {
    const check = validateDestination(req.body);
    if (!check.ok) return problem(res, 422, 'DESTINATION_INVALID', 'the destination is invalid', check.problems);
    const d = check.destination;
    if (req.params.id && d.id !== req.params.id) return problem(res, 422, 'DESTINATION_INVALID',
      'the id in the body differs from the URL', [{ path: '/id', message: `expected '${req.params.id}'` }]);
    const before = getDestination(db, d.id);
    if (status === 201 && before) return problem(res, 409, 'DESTINATION_EXISTS',
      `a destination '${d.id}' exists already`);
    if (status === 200 && !before) return problem(res, 404, 'DESTINATION_NOT_FOUND', `no destination '${d.id}'`);
    transaction(db, () => {
      putDestination(db, d);
      recordAudit(db, res.locals.actor, before ? 'update' : 'create', `destination:${d.id}`,
        before && masked(before), masked(d));
    });
    res.status(status).json(masked(d));
  };
  r.post('/', save(201));
  r.put('/:id', save(200));
  r.delete('/:id', (req, res) => {
    const before = getDestination(db, req.params.id);
    if (!before) return problem(res, 404, 'DESTINATION_NOT_FOUND', `no destination '${req.params.id}'`);
    const users = (currentRules(db)?.rules ?? []).filter((rule) =>
      rule.actions.some((a) => 'destinations' in a && a.destinations.includes(before.id)));
    if (users.length) return problem(res, 409, 'DESTINATION_IN_USE',
      `rules ${users.map((u) => u.id).join(', ')} send to '${before.id}'`);
    transaction(db, () => {
      deleteDestination(db, before.id);
      recordAudit(db, res.locals.actor, 'delete', `destination:${before.id}`, masked(before), null);
    });
    res.json({ deleted: before.id });
  });
  r.post('/:id/verify', async (req, res) => {
    const d = getDestination(db, req.params.id);
    if (!d) return problem(res, 404, 'DESTINATION_NOT_FOUND', `no destination '${req.params.id}'`);
    res.json(await verifyDestination(d, callingAe));
  });
  return r;
}
