// Results API (README "Review"): the queue by state, one result with its QC, previews, deliveries and history, the
// preview PNGs, and the decisions accept / reject / release / retract (each audited; see src/review/decisions.ts).
import express from 'express';
import { getJob } from '../../db/jobs.js';
import { getResult, listResults, RESULT_STATES, type ResultRow, type ResultState } from '../../db/results.js';
import type { Outbox } from '../../export/outbox.js';
import { problem } from '../../http/problem.js';
import type { Logger } from '../../log/logger.js';
import { acceptResult, rejectResult, releaseWaitingResult, retractResult, type Decision }
  from '../../review/decisions.js';
import { previewPng } from '../../review/preview-cache.js';
import { previewSource, resultDetail, resultSummary, type ViewContext } from './results-view.js';

export interface ResultsDeps extends ViewContext { outbox: Outbox; log: Logger; uidRoot: string; manufacturer: string }

export function resultsRouter(deps: ResultsDeps): express.Router {
  const { db } = deps;
  const r = express.Router();
  r.get('/', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state && !RESULT_STATES.includes(state as ResultState)) {
      return problem(res, 400, 'API_BAD_FILTER', `state must be one of ${RESULT_STATES.join(', ')}`);
    }
    const limit = Math.min(Number(req.query.limit ?? 100) || 100, 1000);
    res.json(listResults(db, { state: state as ResultState | undefined, limit }).map((x) => resultSummary(deps, x)));
  });
  r.get('/:id', (req, res) => {
    const result = found(req.params.id, res);
    if (result) res.json(resultDetail(deps, result));
  });
  r.get('/:id/preview/:n.png', async (req, res, next) => {
    const result = found(req.params.id, res);
    if (!result) return;
    const job = getJob(db, result.jobId);
    const n = Number(req.params.n);
    const missing = (why: string) => problem(res, 404, 'RESULT_PREVIEW_NOT_FOUND', why);
    if (!job || !Number.isInteger(n) || n < 0) return missing(`result ${result.id} has no preview ${req.params.n}`);
    const source = previewSource(deps, result, job);
    if (source.seriesFiles.length === 0) return missing(`the source series of result ${result.id} is no longer stored`);
    try {
      const png = await previewPng(source, n);
      if (!png) return missing(`result ${result.id} has no preview ${n}`);
      res.type('image/png').setHeader('Cache-Control', 'private, max-age=300');
      res.send(png);
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'REVIEW_WORKER_FAILED';
      deps.log.warn('review.preview.failed', { resultId: result.id, code, reason: (err as Error).message });
      if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return problem(res, 422, code,
        (err as Error).message);
      next(err);
    }
  });
  const answer = (res: express.Response, d: Decision, kick = true) => {
    if (!d.ok) return problem(res, d.status, d.code, d.detail);
    if (kick) deps.outbox.kick();
    deps.log.info('review.decision', { resultId: d.result.id, jobId: d.result.jobId, state: d.result.state,
      actor: res.locals.actor });
    res.json(resultDetail(deps, d.result));
  };
  r.post('/:id/accept', (req, res) => answer(res, acceptResult(db, idOf(req), res.locals.actor)));
  r.post('/:id/reject', (req, res) =>
    answer(res, rejectResult(db, idOf(req), res.locals.actor, req.body?.reason), false));
  r.post('/:id/release', (req, res) => answer(res, releaseWaitingResult(db, idOf(req), res.locals.actor)));
  r.post('/:id/retract', async (req, res, next) => {
    try {
      const ctx = { db, uidRoot: deps.uidRoot, manufacturer: deps.manufacturer };
      answer(res, await retractResult(ctx, idOf(req), res.locals.actor, req.body?.reason, req.body?.safety));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return problem(res, 422, code,
        (err as Error).message);
      next(err);
    }
  });
  return r;

  function found(raw: string, res: express.Response): ResultRow | undefined {
    const id = Number(raw);
    const result = Number.isInteger(id) ? getResult(db, id) : undefined;
    if (!result) problem(res, 404, 'RESULT_NOT_FOUND', `no result ${raw}`);
    return result;
  }
}

const idOf = (req: express.Request) => (Number.isInteger(Number(req.params.id)) ? Number(req.params.id) : -1);
