// Optional authentication for DICOMweb clients (bearer token or HTTP basic), from configuration.
import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { StowAuth } from '../config/schema.js';
import { problem } from '../http/problem.js';

export function requireStowAuth(auth: StowAuth) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (auth.type === 'none') return next();
    const given = parseAuthorization(req.headers.authorization);
    const expected = auth.type === 'bearer' ? auth.token
      : Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    if (given?.scheme === auth.type && sameSecret(given.credentials, expected)) return next();
    res.setHeader('WWW-Authenticate', auth.type === 'bearer' ? 'Bearer realm="dicomweb"' : 'Basic realm="dicomweb"');
    problem(res, 401, 'AUTH_REQUIRED', `this endpoint needs ${auth.type} authentication`);
  };
}

/**
 * Splits `Authorization: <scheme> <credentials>`; schemes are case-insensitive (RFC 9110 §11.1): returned lower case.
 */
export function parseAuthorization(header: string | undefined):
  { scheme: string; credentials: string } | undefined {
  const m = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+) +(\S.*)$/.exec(header ?? '');
  return m ? { scheme: m[1].toLowerCase(), credentials: m[2].trim() } : undefined;
}

/** Constant-time comparison that also hides the length: both sides are hashed first. */
export function sameSecret(a: string, b: string): boolean {
  return crypto.timingSafeEqual(crypto.createHash('sha256').update(a).digest(),
    crypto.createHash('sha256').update(b).digest());
}
