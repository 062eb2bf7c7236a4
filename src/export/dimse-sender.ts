// C-STORE SCU: sends a batch of stored objects to a DIMSE peer in one association, each data set
// as the bytes stored (no decode/re-encode), proposing each object's stored transfer syntax;
// over TLS when the destination says so.
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import dimse from 'dcmjs-dimse';
import { scanPart10File } from '../store/header-scan.js';
import type { Destination } from './destination.js';
import { classifyDimseStatus, permanent, transient, type Outcome } from './policy.js';

export interface OutgoingObject { path: string; sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string }
dimse.log.setLevel('silent'); // the outbox logs its own events

export type DimseDestination = Extract<Destination, { type: 'dimse' }>;
type Response = { getStatus(): number };
type Client = InstanceType<typeof dimse.Client>;

export function storeBatch(d: DimseDestination, objects: OutgoingObject[], callingAe: string, timeoutMs = 30_000): Promise<Outcome[]> {
  return new Promise((resolve) => {
    let security: SecurityOptions | undefined;
    try {
      security = securityOptions(d);
    } catch (err) {
      return resolve(objects.map(() => permanent((err as Error).message)));
    }
    const outcomes: Array<Outcome | undefined> = objects.map(() => undefined);
    const client = new dimse.Client();
    let accepted = false;
    let failure: Outcome | undefined;
    objects.forEach((o, i) => {
      let request: InstanceType<typeof dimse.requests.CStoreRequest>;
      try {
        request = new dimse.requests.CStoreRequest(new StoredDataset(o));
      } catch (err) {
        outcomes[i] = permanent(`cannot read ${o.path}: ${(err as Error).message}`);
        return;
      }
      request.on('response', (r: Response) => { outcomes[i] = classifyDimseStatus(r.getStatus()); });
      client.addRequest(request);
      // A context of its own with only the stored syntax: dcmjs-dimse prefers a context whose accepted
      // syntax equals the data set's, so the bytes go out as stored whenever the peer accepts it.
      client.addAdditionalPresentationContext(new dimse.association.PresentationContext(0, o.sopClassUid, o.transferSyntaxUid), true);
    });
    if (outcomes.every((o) => o)) return resolve(outcomes as Outcome[]);
    const guard = setTimeout(() => { failure ??= transient(`no answer from ${d.aeTitle}@${d.host}:${d.port} within ${timeoutMs} ms`); client.abort(); finish(); }, timeoutMs + 5_000);
    const finish = () => {
      clearTimeout(guard);
      const fallback = failure ?? (accepted ? permanent(`${d.aeTitle} accepted no presentation context for this SOP class / transfer syntax (or sent no response)`) : transient(`connection to ${d.host}:${d.port} closed before an association`));
      resolve(outcomes.map((o) => o ?? fallback));
    };
    client.on('associationAccepted', () => { accepted = true; });
    client.on('associationRejected', (r: { result: number; source: number; reason: number }) => {
      failure = permanent(`association rejected by ${d.aeTitle}@${d.host}:${d.port} (result ${r.result}, source ${r.source}, reason ${r.reason}${rejectReason(r)})`);
    });
    let connection: ConnectionWatch | undefined;
    client.on('networkError', (e: Error) => {
      const tlsProblem = connection?.tlsProblem();
      failure ??= tlsProblem ? permanent(tlsProblem) : transient(`cannot reach ${d.aeTitle}@${d.host}:${d.port}: ${connection?.error()?.message ?? e.message}`.replace(/\s+/g, ' '));
    });
    client.on('closed', finish);
    client.send(d.host, d.port, callingAe, d.aeTitle, {
      connectTimeout: timeoutMs, associationTimeout: timeoutMs, pduTimeout: timeoutMs,
      ...(security ? { securityOptions: security } : {}),
    });
    connection = watchConnection(client, `${d.aeTitle}@${d.host}:${d.port}`);
  });
}

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
      throw new Error(`cannot read the TLS ${what} file '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };
  return { rejectUnauthorized: true, ca: read('CA', d.tlsCaFile), cert: read('client certificate', d.tlsCertFile), key: read('client key', d.tlsKeyFile) };
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

/** TLS alerts by which a peer refuses our certificate or our handshake: a configuration mismatch, not a network hiccup. */
const refusalAlerts = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNKNOWN_CA|ACCESS_DENIED|HANDSHAKE_FAILURE|PROTOCOL_VERSION|INSUFFICIENT_SECURITY)$/;

/**
 * A certificate problem is final: the peer's certificate did not verify against our CA or name
 * (Node sets authorizationError only then), or the peer refused ours with a TLS alert.
 * Anything else (refused, reset, timeout) says nothing about certificates and stays retryable.
 */
function certificateProblem(socket: tls.TLSSocket, error: (Error & { code?: string }) | undefined, peer: string): string | undefined {
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

/** PS3.8 9.3.4: source 1 (service user) reasons 2 and 7 name the AE titles. */
function rejectReason(r: { source: number; reason: number }): string {
  if (r.source !== 1) return '';
  if (r.reason === 3) return ': calling AE title not recognized';
  if (r.reason === 7) return ': called AE title not recognized';
  return '';
}

/**
 * A data set that hands dcmjs-dimse the stored bytes after the file meta group. Only the SOP
 * class/instance are parsed up front; the whole data set is decoded only if the peer insists on
 * another transfer syntax and dcmjs-dimse has to transcode.
 */
class StoredDataset extends dimse.Dataset {
  private readonly storedSyntax: string;
  private readonly offset: number;
  private full = false;

  constructor(private readonly object: OutgoingObject) {
    const header = scanPart10File(object.path);
    super({ SOPClassUID: object.sopClassUid, SOPInstanceUID: object.sopInstanceUid }, header.transferSyntaxUid);
    this.storedSyntax = header.transferSyntaxUid;
    this.offset = header.datasetOffset;
  }

  override getElements(): Record<string, unknown> {
    if (!this.full) {
      const decoded = dimse.Dataset.fromFile(this.object.path);
      if (!decoded) throw new Error(`cannot decode ${this.object.path}`);
      Object.assign(super.getElements(), decoded.getElements());
      this.full = true;
    }
    return super.getElements();
  }

  override getElement(tag: string): string | undefined {
    return tag === 'SOPClassUID' || tag === 'SOPInstanceUID' ? (super.getElements()[tag] as string) : (this.getElements()[tag] as string | undefined);
  }

  override getDenaturalizedDataset(writeOptions?: Record<string, unknown>, nameMap?: Record<string, unknown>): Buffer {
    if (this.getTransferSyntaxUid() !== this.storedSyntax) return super.getDenaturalizedDataset(writeOptions, nameMap);
    return fs.readFileSync(this.object.path).subarray(this.offset);
  }
}
