// Prometheus metrics at /metrics. (Entry point only; being built for issue 6.)
import type { RequestHandler } from 'express';
import type { Db } from '../db/database.js';

export function metricsHandler(_db: Db): RequestHandler {
  return (_req, res) => { res.type('text/plain').send(''); };
}
