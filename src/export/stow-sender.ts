// STOW-RS client: one multipart/related request per batch, the stored Part-10 files streamed as
// the parts, per-object results read from the response's Referenced/Failed SOP sequences.
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Destination } from './destination.js';
import type { OutgoingObject, Transport } from './transport.js';
import { classifyDimseStatus, classifyHttpStatus, delivered, permanent, transient, type Outcome } from './policy.js';

type WebDestination = Extract<Destination, { type: 'dicomweb' }>;

/** The DICOMweb transport: STOW-RS to deliver, a QIDO-RS request to verify. */
export const dicomwebTransport: Transport<WebDestination> = {
  send: (d, objects) => stowBatch(d, objects),
  verify: probeDicomweb,
};
type DicomJson = Record<string, { vr?: string; Value?: unknown[] }>;

export async function stowBatch(d: WebDestination, objects: OutgoingObject[], timeoutMs = 60_000): Promise<Outcome[]> {
  const boundary = `dicom-ai-node-${crypto.randomUUID()}`;
  const headers: Record<string, string> = {
    'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
    accept: 'application/dicom+json',
  };
  Object.assign(headers, authHeaders(d));
  const url = `${d.url.replace(/\/$/, '')}/studies`;
  let res: globalThis.Response;
  try {
    const missing = objects.filter((o) => !fs.existsSync(o.path));
    if (missing.length) return objects.map((o) => (missing.includes(o) ? permanent(`stored file ${o.path} is gone`)
      : transient('batch held back by a missing file')));
    res = await fetch(url, { method: 'POST', headers, body: multipartBody(objects, boundary) as unknown as BodyInit,
      duplex: 'half', signal: AbortSignal.timeout(timeoutMs) } as RequestInit);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return objects.map(() =>
      transient(`POST ${url} failed: ${e.cause?.code ?? e.name} ${e.cause?.message ?? e.message}`.trim()));
  }
  const text = await res.text().catch(() => '');
  const body = parseJson(text);
  // 409 (all failed) and 202 (some failed) carry per-object results; other non-2xx statuses decide the whole batch.
  if (!res.ok && !(res.status === 409 && body)) {
    const outcome = classifyHttpStatus(res.status, res.statusText);
    return objects.map(() => outcome);
  }
  return objects.map((o) => perObject(o, body, res.status));
}

async function* multipartBody(objects: OutgoingObject[], boundary: string): AsyncGenerator<Buffer> {
  for (const o of objects) {
    yield Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
    for await (const chunk of fs.createReadStream(o.path)) yield chunk as Buffer;
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${boundary}--\r\n`);
}

/**
 * PS3.18 10.5.3: FailedSOPSequence (0008,1198) items name a FailureReason (0008,1197); ReferencedSOPSequence
 * (0008,1199) the stored ones.
 */
function perObject(o: OutgoingObject, body: DicomJson | undefined, status: number): Outcome {
  const failed = sequence(body, '00081198').find((item) => str(item, '00081155') === o.sopInstanceUid);
  if (failed) {
    const reason = Number(failed['00081197']?.Value?.[0] ?? 0x0110);
    const outcome = classifyDimseStatus(reason);
    return outcome.kind === 'delivered' ? delivered
      : { ...outcome, reason: `STOW-RS ${outcome.reason.replace('C-STORE ', '')}` };
  }
  if (sequence(body, '00081199').some((item) => str(item, '00081155') === o.sopInstanceUid)) return delivered;
  // A plain 200 without a body is success for every part; otherwise an unmentioned object is in doubt.
  return status === 200 && !body ? delivered
    : transient(`STOW-RS response (HTTP ${status}) did not mention ${o.sopInstanceUid}`);
}

function sequence(body: DicomJson | undefined, tag: string): DicomJson[] {
  return (body?.[tag]?.Value ?? []) as DicomJson[];
}

function str(item: DicomJson, tag: string): string | undefined {
  return item[tag]?.Value?.[0] as string | undefined;
}

function parseJson(text: string): DicomJson | undefined {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Verify: any answer but an error from the studies resource shows the server is there and lets us in. */
async function probeDicomweb(d: WebDestination, _callingAe: string, timeoutMs: number): Promise<string> {
  const headers: Record<string, string> = { accept: 'application/dicom+json', ...authHeaders(d) };
  const url = `${d.url.replace(/\/$/, '')}/studies?limit=1`;
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok && res.status !== 204) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  return `GET ${url} answered HTTP ${res.status}`;
}

function authHeaders(d: WebDestination): Record<string, string> {
  if (d.auth?.type === 'bearer') return { authorization: `Bearer ${d.auth.token}` };
  if (d.auth?.type === 'basic') {
    return { authorization: `Basic ${Buffer.from(`${d.auth.username}:${d.auth.password}`).toString('base64')}` };
  }
  return {};
}
