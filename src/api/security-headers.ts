// Security headers for the admin page: it holds an admin token, so it must not be framed
// (clickjacking), run scripts from elsewhere, or have its responses sniffed into another type.
import type { NextFunction, Request, Response } from 'express';

// The page is static files from this origin only (no inline script or style, see dom.js); the API
// it calls is same-origin; images may be data:/blob: URLs built by the page.
const ADMIN_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

export function adminSecurityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', ADMIN_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY'); // frame-ancestors for browsers that predate CSP 2
  next();
}
