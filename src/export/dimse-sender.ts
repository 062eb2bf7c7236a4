// C-STORE SCU: sends a batch of stored objects to a DIMSE peer in one association, each data set
// as the bytes stored (no decode/re-encode), proposing each object's stored transfer syntax;
// over TLS when the destination says so. The node runs it in the sender worker (dimse-transport.ts).
import fs from 'node:fs';
import dimse from 'dcmjs-dimse';
import { scanPart10File } from '../dicom/header-scan.js';
import type { Destination, DimseDestination } from './destination.js';
import { securityOptions, watchConnection, type ConnectionWatch, type SecurityOptions } from './dimse-tls.js';
import { classifyDimseStatus, permanent, transient, type Outcome } from './policy.js';
import type { OutgoingObject } from './transport.js';

dimse.log.setLevel('silent'); // the outbox logs its own events

export type { DimseDestination } from './destination.js';

type Response = { getStatus(): number };

export function storeBatch(d: DimseDestination, objects: OutgoingObject[], callingAe: string,
  timeoutMs = 30_000): Promise<Outcome[]> {
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
      client.addAdditionalPresentationContext(
        new dimse.association.PresentationContext(0, o.sopClassUid, o.transferSyntaxUid), true);
    });
    if (outcomes.every((o) => o)) return resolve(outcomes as Outcome[]);
    const guard = setTimeout(() => {
      failure ??= transient(`no answer from ${d.aeTitle}@${d.host}:${d.port} within ${timeoutMs} ms`);
      client.abort(); finish();
    }, timeoutMs + 5_000);
    const finish = () => {
      clearTimeout(guard);
      const fallback = failure ?? (accepted ? permanent(
        `${d.aeTitle} accepted no presentation context for this SOP class / transfer syntax (or sent no response)`)
        : transient(`connection to ${d.host}:${d.port} closed before an association`));
      resolve(outcomes.map((o) => o ?? fallback));
    };
    client.on('associationAccepted', () => { accepted = true; });
    client.on('associationRejected', (r: { result: number; source: number; reason: number }) => {
      failure = permanent(`association rejected by ${d.aeTitle}@${d.host}:${d.port} (result ${r.result}, source ${r.source}, reason ${r.reason}${rejectReason(r)})`);
    });
    let connection: ConnectionWatch | undefined;
    client.on('networkError', (e: Error) => {
      const tlsProblem = connection?.tlsProblem();
      failure ??= tlsProblem ? permanent(tlsProblem)
        : transient(`cannot reach ${d.aeTitle}@${d.host}:${d.port}: ${connection?.error()?.message ?? e.message}`
          .replace(/\s+/g, ' '));
    });
    client.on('closed', finish);
    client.send(d.host, d.port, callingAe, d.aeTitle, {
      connectTimeout: timeoutMs, associationTimeout: timeoutMs, pduTimeout: timeoutMs,
      ...(security ? { securityOptions: security } : {}),
    });
    connection = watchConnection(client, `${d.aeTitle}@${d.host}:${d.port}`);
  });
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
    return tag === 'SOPClassUID' || tag === 'SOPInstanceUID' ? (super.getElements()[tag] as string)
      : (this.getElements()[tag] as string | undefined);
  }

  override getDenaturalizedDataset(writeOptions?: Record<string, unknown>, nameMap?: Record<string, unknown>): Buffer {
    if (this.getTransferSyntaxUid() !== this.storedSyntax) return super.getDenaturalizedDataset(writeOptions, nameMap);
    return fs.readFileSync(this.object.path).subarray(this.offset);
  }
}
