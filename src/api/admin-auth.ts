// Admin API authentication: a bearer token with the admin role (read + write) or the read-only
// role. Without a configured admin token the node generates one into <dataDir>/admin-token (0600)
// at first start, so a fresh install is never open.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log/logger.js';
import { parseAuthorization, sameSecret } from './auth.js';
import { problem } from '../http/problem.js';

export type Role = 'admin' | 'read-only';
export interface AdminTokens { admin: string; readOnly: string }

export function resolveAdminTokens(configured: { adminToken: string; readOnlyToken: string }, dataDir: string, log: Logger): AdminTokens {
  if (configured.adminToken) return { admin: configured.adminToken, readOnly: configured.readOnlyToken };
  const file = path.join(dataDir, 'admin-token');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `${crypto.randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    log.info('admin.token.generated', { file });
  }
  return { admin: fs.readFileSync(file, 'utf8').trim(), readOnly: configured.readOnlyToken };
}

/** GET/HEAD need any valid token; every other method needs the admin token. */
export function requireAdmin(tokens: AdminTokens) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const role = roleOf(tokens, req.headers.authorization ?? '');
    if (!role) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="dicom-ai-node admin"');
      return problem(res, 401, 'AUTH_REQUIRED', 'send Authorization: Bearer <admin or read-only token>');
    }
    if (role !== 'admin' && req.method !== 'GET' && req.method !== 'HEAD') return problem(res, 403, 'AUTH_FORBIDDEN', 'the read-only token cannot change anything');
    res.locals.actor = role;
    next();
  };
}

function roleOf(tokens: AdminTokens, header: string): Role | undefined {
  const given = parseAuthorization(header);
  if (given?.scheme !== 'bearer') return undefined;
  if (sameSecret(given.credentials, tokens.admin)) return 'admin';
  if (tokens.readOnly && sameSecret(given.credentials, tokens.readOnly)) return 'read-only';
  return undefined;
}
