// The host allow-list of STOW-RS (`http.stow.allowedHosts`), applied before authentication as the
// DIMSE allow-list is applied before association: a host not listed is refused and nothing is read.
import net from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { parseHostEntry } from '../config/exposure.js';
import type { Logger } from '../log/logger.js';
import { problem } from '../http/problem.js';
import { normaliseHost } from './peer-address.js';

export function requireStowHost(allowedHosts: string[], log: Logger) {
  const allowed = new net.BlockList();
  let anyHost = false;
  for (const entry of allowedHosts) {
    const e = parseHostEntry(entry); // validated with the configuration
    if (!e) continue;
    if ('any' in e) anyHost = true;
    else allowed.addSubnet(e.address, e.prefix, e.family);
  }
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = normaliseHost(req.socket.remoteAddress);
    if (anyHost || (host && allowed.check(host, net.isIPv6(host) ? 'ipv6' : 'ipv4'))) return next();
    log.warn('stow.host.rejected', { host, path: req.path });
    // The body is not read: close the connection after answering rather than drain an upload.
    res.setHeader('Connection', 'close');
    problem(res, 403, 'STOW_HOST_NOT_ALLOWED',
      `STOW-RS from ${host || 'an unknown address'} is not allowed: add it to http.stow.allowedHosts`);
  };
}
