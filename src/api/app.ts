// The HTTP face of the node: DICOMweb STOW-RS, the JSON admin/read API, and the admin page.
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { NodeConfig } from '../config/schema.js';
import { databaseReachable, type Db } from '../db/database.js';
import { isPostgres } from '../db/postgres.js';
import { nodeIdOf } from '../config/load.js';
import { getStudy, listStudies } from '../db/studies.js';
import type { ModelRegistry } from '../infer/index.js';
import type { Logger } from '../log/logger.js';
import { projectRoot } from '../paths.js';
import { stowHandler } from '../receive/stow-rs.js';
import { requireStowHost } from '../receive/stow-access.js';
import type { InstanceStore } from '../store/instance-store.js';
import { requireAdmin, type AdminTokens } from './admin-auth.js';
import { adminSecurityHeaders } from './security-headers.js';
import { requireStowAuth } from './auth.js';
import { problem } from '../http/problem.js';
import { deliveriesRouter } from './routes/deliveries.js';
import { destinationsRouter } from './routes/destinations.js';
import type { Outbox } from '../export/outbox.js';
import { auditRouter, jobsRouter } from './routes/jobs.js';
import { rulesTestRouter } from './routes/rules-test.js';
import { rulesRouter } from './routes/rules.js';
import { resultsRouter } from './routes/results.js';
import { deidRouter } from './routes/deid.js';

export interface AppDeps {
  config: NodeConfig;
  db: Db;
  store: InstanceStore;
  log: Logger;
  dimseUp: () => boolean;
  models: ModelRegistry;
  tokens: AdminTokens;
  metrics: express.RequestHandler;
  outbox: Outbox;
  /** absolute data folder (result files, preview cache) */
  dataDir: string;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const stow = stowHandler(deps.store, deps.log);
  const stowAuth = requireStowAuth(deps.config.http.stow.auth);
  const stowHost = requireStowHost(deps.config.http.stow.allowedHosts, deps.log);
  app.post('/dicomweb/studies', stowHost, stowAuth, stow);
  app.post('/dicomweb/studies/:study', stowHost, stowAuth, stow);
  app.get('/api/health', health(deps));
  app.get('/metrics', deps.metrics);
  app.use('/admin', adminSecurityHeaders,
    express.static(path.join(projectRoot, 'src/api/admin/static'), { fallthrough: true, index: 'index.html' }));

  const api = express.Router();
  api.use(requireAdmin(deps.tokens));
  api.use('/rules/test', rulesTestRouter(deps.db, deps.models));
  api.use(express.json({ limit: '5mb' }));
  api.use('/rules', rulesRouter(deps.db, deps.models));
  api.use('/destinations', destinationsRouter(deps.db, deps.config.dicom.aeTitle));
  api.use('/jobs', jobsRouter(deps.db));
  api.use('/deliveries', deliveriesRouter(deps.db, deps.outbox));
  api.use('/audit', auditRouter(deps.db));
  api.use('/deid', deidRouter(deps.db, deps.config.deid.key));
  api.use('/results', resultsRouter({ ...deps, dataDir: deps.dataDir,
    viewerUrlTemplate: deps.config.review.viewerUrlTemplate, uidRoot: deps.config.node.uidRoot,
    manufacturer: deps.config.node.manufacturer }));
  api.get('/session', (_req, res) => res.json({ role: res.locals.actor }));
  api.get('/models', (_req, res) => res.json(deps.models.list()));
  api.get('/studies', (req, res) => {
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    if (state && state !== 'receiving' && state !== 'complete') return problem(res, 400, 'API_BAD_FILTER',
      "state must be 'receiving' or 'complete'");
    res.json(listStudies(deps.db, { state, limit: Math.min(Number(req.query.limit ?? 100) || 100, 1000) }));
  });
  api.get('/studies/:study', (req, res) => {
    const study = getStudy(deps.db, req.params.study);
    if (!study) return problem(res, 404, 'API_STUDY_NOT_FOUND', `no study ${req.params.study}`);
    res.json(study);
  });
  app.use('/api', api);

  app.use((_req, res) => problem(res, 404, 'API_NOT_FOUND', 'no such route'));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.parse.failed') return problem(res, 400, 'API_BAD_JSON',
      `the body is not valid JSON: ${err.message}`);
    if (err.type === 'entity.too.large') return problem(res, 413, 'API_TOO_LARGE', 'the body is too large');
    deps.log.error('http.error', { reason: err.message });
    if (!res.headersSent) problem(res, 500, 'API_INTERNAL', 'internal error; see the node log');
  });
  return app;
}

function health(deps: AppDeps) {
  return async (_req: Request, res: Response) => {
    let database = false;
    try {
      database = databaseReachable(deps.db);
    } catch { /* reported as false */ }
    const freeBytes = await deps.store.freeSpace().catch(() => 0);
    const freeFloor = freeBytes >= deps.config.storage.minFreeMb * 1048576;
    const ok = database && deps.dimseUp() && freeFloor;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', node: nodeIdOf(deps.config),
      databaseBackend: isPostgres(deps.db) ? 'postgres' : 'sqlite', dimseListener: deps.dimseUp(), database,
      freeDiskMb: Math.floor(freeBytes / 1048576), freeDiskFloorMb: deps.config.storage.minFreeMb });
  };
}
