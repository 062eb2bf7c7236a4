// Verify for a DIMSE destination: a C-ECHO over the same connection a delivery makes (TLS files, verification).
import dimse from 'dcmjs-dimse';
import type { DimseDestination } from './destination.js';
import { securityOptions, watchConnection, type ConnectionWatch } from './dimse-tls.js';

/** The same connection a delivery makes (TLS files, verification), so Verify tells the truth for a TLS destination. */
export function echo(d: DimseDestination, callingAe: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const security = securityOptions(d); // a file it cannot read throws: the verify fails with its path
    const peer = `${d.aeTitle}@${d.host}:${d.port}`;
    const client = new dimse.Client();
    const request = new dimse.requests.CEchoRequest();
    let status: number | undefined;
    let connection: ConnectionWatch | undefined;
    request.on('response', (response: { getStatus(): number }) => { status = response.getStatus(); });
    client.on('associationRejected', (r: { reason: number }) =>
      reject(new Error(`association rejected by ${d.aeTitle} (reason ${r.reason})`)));
    client.on('networkError', (e: Error) => reject(new Error(connection?.tlsProblem()
      ?? `cannot reach ${d.host}:${d.port}: ${connection?.error()?.message ?? e.message}`)));
    client.on('closed', () => (status === 0 ? resolve(`C-ECHO to ${peer}${security ? ' over TLS' : ''} succeeded`)
      : reject(new Error(status === undefined ? 'no C-ECHO response' : `C-ECHO status 0x${status.toString(16)}`))));
    client.addRequest(request);
    client.send(d.host, d.port, callingAe, d.aeTitle, { connectTimeout: timeoutMs, associationTimeout: timeoutMs,
      pduTimeout: timeoutMs, ...(security ? { securityOptions: security } : {}) });
    connection = watchConnection(client, peer);
  });
}
