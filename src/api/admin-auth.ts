// Admin API authentication: a bearer token with the admin role (read + write), the reviewer role (read, and the
// decisions on results) or the read-only role. Without a configured admin token the node generates one into
// <dataDir>/admin-token (0600) at first start, so a fresh install is never open.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log/logger.js';
import { parseAuthorization, sameSecret } from './auth.js';
import { problem } from '../http/problem.js';

export type Role = 'admin' | 'read-only' | 'reviewer';
export interface AdminTokens { admin: string; readOnly: string; reviewer?: string }

/** The only writes a reviewer may make: a decision on one result. */
const REVIEW_DECISION = /^\/results\/[^/]+\/(accept|reject|release|retract)$/;

export function resolveAdminTokens(
  configured: { adminToken: string; readOnlyToken: string; reviewerToken?: string }, dataDir: string, log: Logger,
): AdminTokens {
  const others = { readOnly: configured.readOnlyToken, reviewer: configured.reviewerToken ?? '' };
  if (configured.adminToken) return { admin: configured.adminToken, ...others };
  const file = path.join(dataDir, 'admin-token');
  if (!fs.existsSync(file)) {
    fs.writeFileSync(file, `${crypto.randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
    log.info('admin.token.generated', { file });
  }
  return { admin: fs.readFileSync(file, 'utf8').trim(), ...others };
}

/**
 * GET/HEAD need any valid token; a reviewer may also POST a result decision; every other write needs the admin token.
 */
export function requireAdmin(tokens: AdminTokens) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const role = roleOf(tokens, req.headers.authorization ?? '');
    if (!role) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="dicom-ai-node admin"');
      return problem(res, 401, 'AUTH_REQUIRED', 'send Authorization: Bearer <admin, reviewer or read-only token>');
    }
    const reads = req.method === 'GET' || req.method === 'HEAD';
    const decides = role === 'reviewer' && req.method === 'POST' && REVIEW_DECISION.test(req.path);
    if (role !== 'admin' && !reads && !decides) {
      const may = role === 'reviewer' ? 'may only accept, reject, release or retract results'
        : 'cannot change anything';
      return problem(res, 403, 'AUTH_FORBIDDEN', `the ${role} token ${may}`);
    }
    res.locals.actor = role;
    next();
  };
}

function roleOf(tokens: AdminTokens, header: string): Role | undefined {
  const given = parseAuthorization(header);
  if (given?.scheme !== 'bearer') return undefined;
  if (sameSecret(given.credentials, tokens.admin)) return 'admin';
  if (tokens.reviewer && sameSecret(given.credentials, tokens.reviewer)) return 'reviewer';
  if (tokens.readOnly && sameSecret(given.credentials, tokens.readOnly)) return 'read-only';
  return undefined;
}
