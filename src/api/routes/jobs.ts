// Jobs and audit admin API: lists with filters, retry and cancel (audited). A done runModel job whose result was
// rejected, withheld or retracted may be retried too: it runs again as the result's next revision (new UIDs).
import express from 'express';
import { transaction, type Db } from '../../db/database.js';
import { listAudit, recordAudit } from '../../db/audit.js';
import { getJob, JOB_STATES, listJobs, transitionJob, type JobState } from '../../db/jobs.js';
import { latestResultOfJob, RERUNNABLE_RESULT_STATES } from '../../db/results.js';
import { problem } from '../../http/problem.js';

export function jobsRouter(db: Db): express.Router {
  const r = express.Router();
  r.get('/', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state && !(JOB_STATES as readonly string[]).includes(state)) return problem(res, 400, 'API_BAD_FILTER',
      `state must be one of ${JOB_STATES.join(', ')}`);
    const studyUid = typeof req.query.studyUid === 'string' ? req.query.studyUid : undefined;
    res.json(listJobs(db, { state, studyUid, limit: Math.min(Number(req.query.limit ?? 100) || 100, 1000) }));
  });
  const move = (verb: string, from: JobState[], to: JobState) => (req: express.Request, res: express.Response) => {
    const id = Number(req.params.id);
    const before = getJob(db, id);
    if (!before) return problem(res, 404, 'JOB_NOT_FOUND', `no job ${req.params.id}`);
    const states = verb === 'retry' && rerunnable(db, id) ? [...from, 'done' as const] : from;
    const moved = transaction(db, () => {
      if (!transitionJob(db, id, states, to,
        to === 'cancelled' ? `cancelled by ${res.locals.actor}` : null)) return false;
      recordAudit(db, res.locals.actor, verb, `job:${id}`, { state: before.state }, { state: to });
      return true;
    });
    const needs = verb === 'retry' ? `${from.join(' or ')} (or done with a rejected, withheld or retracted result)`
      : from.join(' or ');
    if (!moved) return problem(res, 409, 'JOB_STATE', `job ${id} is ${before.state}; ${verb} needs ${needs}`);
    res.json(getJob(db, id));
  };
  const rerunnable = (d: Db, id: number) => {
    const latest = latestResultOfJob(d, id);
    return latest !== undefined && RERUNNABLE_RESULT_STATES.includes(latest.state);
  };
  r.post('/:id/retry', move('retry', ['failed', 'cancelled'], 'pending'));
  r.post('/:id/cancel', move('cancel', ['pending', 'failed'], 'cancelled'));
  return r;
}

export function auditRouter(db: Db): express.Router {
  const r = express.Router();
  r.get('/', (req, res) => res.json(listAudit(db, Math.min(Number(req.query.limit ?? 100) || 100, 1000))));
  return r;
}
