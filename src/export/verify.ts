// "Verify" for a destination: a C-ECHO to a DIMSE peer, or an HTTP request to a DICOMweb server.
import dimse from 'dcmjs-dimse';
import type { Destination } from './destination.js';
import type { DimseDestination } from './destination.js';
import { securityOptions, watchConnection, type ConnectionWatch } from './dimse-tls.js';

export interface VerifyResult { ok: boolean; ms: number; detail: string }

export async function verifyDestination(d: Destination, callingAe: string, timeoutMs = 10_000): Promise<VerifyResult> {
  const started = Date.now();
  try {
    const detail = d.type === 'dimse' ? await echo(d, callingAe, timeoutMs) : await probeDicomweb(d, timeoutMs);
    return { ok: true, ms: Date.now() - started, detail };
  } catch (err) {
    return { ok: false, ms: Date.now() - started, detail: (err as Error).message };
  }
}

/** The same connection a delivery makes (TLS files, verification), so Verify tells the truth for a TLS destination. */
function echo(d: DimseDestination, callingAe: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const security = securityOptions(d); // a file it cannot read throws: the verify fails with its path
    const peer = `${d.aeTitle}@${d.host}:${d.port}`;
    const client = new dimse.Client();
    const request = new dimse.requests.CEchoRequest();
    let status: number | undefined;
    let connection: ConnectionWatch | undefined;
    request.on('response', (response: { getStatus(): number }) => { status = response.getStatus(); });
    client.on('associationRejected', (r: { reason: number }) => reject(new Error(`association rejected by ${d.aeTitle} (reason ${r.reason})`)));
    client.on('networkError', (e: Error) => reject(new Error(connection?.tlsProblem() ?? `cannot reach ${d.host}:${d.port}: ${connection?.error()?.message ?? e.message}`)));
    client.on('closed', () => (status === 0 ? resolve(`C-ECHO to ${peer}${security ? ' over TLS' : ''} succeeded`) : reject(new Error(status === undefined ? 'no C-ECHO response' : `C-ECHO status 0x${status.toString(16)}`))));
    client.addRequest(request);
    client.send(d.host, d.port, callingAe, d.aeTitle, { connectTimeout: timeoutMs, associationTimeout: timeoutMs, pduTimeout: timeoutMs, ...(security ? { securityOptions: security } : {}) });
    connection = watchConnection(client, peer);
  });
}

async function probeDicomweb(d: Extract<Destination, { type: 'dicomweb' }>, timeoutMs: number): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/dicom+json' };
  if (d.auth?.type === 'bearer') headers.authorization = `Bearer ${d.auth.token}`;
  if (d.auth?.type === 'basic') headers.authorization = `Basic ${Buffer.from(`${d.auth.username}:${d.auth.password}`).toString('base64')}`;
  const url = `${d.url.replace(/\/$/, '')}/studies?limit=1`;
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok && res.status !== 204) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  return `GET ${url} answered HTTP ${res.status}`;
}
