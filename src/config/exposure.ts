// Network exposure rules a JSON schema cannot state: host allow-list entries must parse, and an
// unauthenticated STOW-RS must not be reachable from beyond this machine (issue 15, fault 3).
import net from 'node:net';
import type { NodeConfig } from './schema.js';

export function exposureProblems(c: NodeConfig): string[] {
  const out: string[] = [];
  c.http.stow.allowedHosts.forEach((entry, i) => {
    if (!parseHostEntry(entry)) out.push(
      `http>stow>allowedHosts>${i}: '${entry}' is not an IP address, a CIDR range or '*'`);
  });
  if (out.length) return out;
  const reachable = c.http.stow.allowedHosts.filter((e) => !isLoopbackEntry(e));
  if (c.http.stow.auth.type === 'none' && !isLoopbackHost(c.http.host) && reachable.length > 0) {
    out.push(`http>stow>auth: STOW-RS would store uploads without credentials from ${reachable.join(', ')} `
      + `(http.host is ${c.http.host}); set http.stow.auth to bearer or basic, or keep http.stow.allowedHosts to loopback`);
  }
  return out;
}


/** '*', an address, or a CIDR range ('10.1.0.0/16'); undefined when it is none of them. */
export function parseHostEntry(entry: string):
  { any: true } | { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  if (entry === '*') return { any: true };
  const [address, bits, ...rest] = entry.split('/');
  const version = net.isIP(address);
  if (!version || rest.length) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Only loopback sources match the entry (127.0.0.0/8 or ::1). */
function isLoopbackEntry(entry: string): boolean {
  const e = parseHostEntry(entry);
  if (!e || 'any' in e) return false;
  return e.family === 'ipv4' ? e.prefix >= 8 && e.address.startsWith('127.')
    : e.prefix === 128 && isLoopbackHost(e.address);
}

/** A listen address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1' || (net.isIPv4(h) && h.startsWith('127.'))
    || h.startsWith('::ffff:127.');
}
