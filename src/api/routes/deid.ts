// De-identification admin API: the external requests (any role may read them: no patient data), and the mapping
// itself, decrypted, for the admin role only; every read of the mapping is an audit row of its own.
import express from 'express';
import { recordAudit } from '../../db/audit.js';
import type { Db } from '../../db/database.js';
import { DeidMappings } from '../../db/deid-mappings.js';
import { listExternalRequests } from '../../db/external-requests.js';
import { DeidError } from '../../deid/errors.js';
import { parseDeidKey, subkey } from '../../deid/pseudonyms.js';
import { problem } from '../../http/problem.js';

export function deidRouter(db: Db, keyBase64: string): express.Router {
  const r = express.Router();
  r.get('/requests', (req, res) => {
    const limit = limitOf(req.query.limit);
    if (limit === undefined) return problem(res, 400, 'API_BAD_FILTER', 'limit must be an integer from 1 to 1000');
    res.json(listExternalRequests(db, limit).map((q) => ({ ...q, deadline: new Date(q.deadline).toISOString() })));
  });
  r.get('/mappings', (req, res) => {
    if (res.locals.actor !== 'admin') return problem(res, 403, 'AUTH_FORBIDDEN',
        `the ${res.locals.actor} token cannot read the de-identification mapping: it needs the admin role`);
    const limit = limitOf(req.query.limit);
    if (limit === undefined) return problem(res, 400, 'API_BAD_FILTER', 'limit must be an integer from 1 to 1000');
    let key: Buffer;
    try { key = parseDeidKey(keyBase64); } catch (err) {
      return problem(res, 409, 'DEID_KEY_MISSING', (err as DeidError).message.replace(/^DEID_KEY_MISSING: /, ''));
    }
    const keys = { encryption: subkey(key, 'mapping-encryption'), lookup: subkey(key, 'mapping-lookup') };
    const rows = new DeidMappings(db, keys).list(limit);
    recordAudit(db, res.locals.actor, 'read', 'deid-mappings', undefined, { rows: rows.length, limit });
    res.json(rows);
  });
  return r;
}

function limitOf(v: unknown): number | undefined {
  const n = v === undefined ? 100 : Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : undefined;
}
