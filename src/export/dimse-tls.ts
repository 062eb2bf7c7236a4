// TLS for DIMSE destinations: the options dcmjs-dimse hands to tls.connect, and what the socket saw when a
// connection failed, so a certificate problem (final) is told apart from a network fault (retried).
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type dimse from 'dcmjs-dimse';
import type { DimseDestination } from './destination.js';

type Client = InstanceType<typeof dimse.Client>;

export interface SecurityOptions { rejectUnauthorized: true; ca?: Buffer; cert?: Buffer; key?: Buffer }

/**
 * dcmjs-dimse securityOptions (it hands key, cert, ca and rejectUnauthorized to tls.connect) for a
 * TLS destination; undefined for plain TCP. The PEM files are read at each connection, so a renewed
 * certificate is used without a restart. Throws, naming the file, when one cannot be read: a
 * configuration error that no retry mends.
 */
export function securityOptions(d: DimseDestination): SecurityOptions | undefined {
  if (!d.tls) return undefined;
  const read = (what: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(
        `cannot read the TLS ${what} file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return { rejectUnauthorized: true, ca: read('CA', d.tlsCaFile), cert: read('client certificate', d.tlsCertFile),
    key: read('client key', d.tlsKeyFile) };
}

export interface ConnectionWatch { error(): (Error & { code?: string }) | undefined; tlsProblem(): string | undefined }

/**
 * What the socket itself saw. dcmjs-dimse 0.3.3 re-emits socket errors as a new Error without the
 * `code` and keeps the socket on its (undocumented) `network` field, read here right after send():
 * our listener goes first, so the cause is known when its networkError arrives.
 */
export function watchConnection(client: Client, peer: string): ConnectionWatch {
  const socket = (client as unknown as { network?: { socket?: unknown } }).network?.socket;
  let last: (Error & { code?: string }) | undefined;
  if (socket instanceof net.Socket) socket.prependListener('error', (e: Error) => { last = e; });
  return {
    error: () => last,
    tlsProblem: () => (socket instanceof tls.TLSSocket ? certificateProblem(socket, last, peer) : undefined),
  };
}

/**
 * TLS alerts by which a peer refuses our certificate or our handshake: a configuration mismatch, not a network hiccup.
 */
const refusalAlerts = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED|HANDSHAKE_FAILURE|PROTOCOL_VERSION|INSUFFICIENT_SECURITY)$/;

/**
 * A certificate problem is final: the peer's certificate did not verify against our CA or name
 * (Node sets authorizationError only then), or the peer refused ours with a TLS alert.
 * Anything else (refused, reset, timeout) says nothing about certificates and stays retryable.
 */
function certificateProblem(socket: tls.TLSSocket, error: (Error & { code?: string }) | undefined,
  peer: string): string | undefined {
  if (socket.authorizationError) {
    const code = String(socket.authorizationError);
    const why = error && error.message !== code ? `${code}: ${error.message}` : code;
    return `TLS: the certificate of ${peer} did not verify (${why}); check tlsCaFile and that host is a name or IP the certificate carries`;
  }
  const alert = error?.code && refusalAlerts.exec(error.code);
  if (alert) {
    const name = alert[1].toLowerCase().replace(/_/g, ' ');
    return `TLS: ${peer} refused the handshake (alert: ${name}); check tlsCertFile/tlsKeyFile and that the peer trusts the CA that signed them`;
  }
  return undefined;
}

