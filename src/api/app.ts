// The HTTP face of the node: DICOMweb STOW-RS and the JSON read API (health, studies).
import express, { type NextFunction, type Request, type Response } from 'express';
import type { NodeConfig } from '../config/schema.js';
import type { Db } from '../db/database.js';
import { getStudy, listStudies } from '../db/studies.js';
import type { Logger } from '../log/logger.js';
import type { InstanceStore } from '../store/instance-store.js';
import type { ModelRegistry } from '../infer/index.js';
import { stowHandler } from '../receive/stow-rs.js';
import { requireStowAuth } from './auth.js';
import { problem } from './problem.js';

export interface AppDeps {
  config: NodeConfig;
  db: Db;
  store: InstanceStore;
  log: Logger;
  dimseUp: () => boolean;
  models: ModelRegistry;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const stow = stowHandler(deps.store, deps.log);
  const auth = requireStowAuth(deps.config.http.stow.auth);
  app.post('/dicomweb/studies', auth, stow);
  app.post('/dicomweb/studies/:study', auth, stow);

  app.get('/api/health', async (_req, res) => {
    let database = false;
    try {
      database = (deps.db.prepare('SELECT 1 AS ok').get() as { ok: number }).ok === 1;
    } catch { /* reported as false */ }
    const freeBytes = await deps.store.freeSpace().catch(() => 0);
    const freeFloor = freeBytes >= deps.config.storage.minFreeMb * 1048576;
    const ok = database && deps.dimseUp() && freeFloor;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', dimseListener: deps.dimseUp(), database, freeDiskMb: Math.floor(freeBytes / 1048576), freeDiskFloorMb: deps.config.storage.minFreeMb });
  });
  app.get('/api/studies', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state && state !== 'receiving' && state !== 'complete') return problem(res, 400, 'API_BAD_FILTER', "state must be 'receiving' or 'complete'");
    const limit = Math.min(Number(req.query.limit ?? 100) || 100, 1000);
    res.json(listStudies(deps.db, { state, limit }));
  });
  app.get('/api/studies/:study', (req, res) => {
    const study = getStudy(deps.db, req.params.study);
    if (!study) return problem(res, 404, 'API_STUDY_NOT_FOUND', `no study ${req.params.study}`);
    res.json(study);
  });
  app.get('/api/models', (_req, res) => res.json(deps.models.list()));
  app.use((_req, res) => problem(res, 404, 'API_NOT_FOUND', 'no such route'));
  app.use((err: Error, _req: Request, res: Response, _next: NextFunction) => {
    deps.log.error('http.error', { reason: err.message });
    if (!res.headersSent) problem(res, 500, 'API_INTERNAL', 'internal error; see the node log');
  });
  return app;
}
