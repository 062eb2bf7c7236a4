// Steps shared by the end-to-end tests: what Orthanc holds for a study (REST API), the node's
// deliveries for it, and a loopback TCP gate in front of Orthanc that can hold a send mid-way.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { runTool, storescu } from '../support/dcmtk.js';
import { repoRoot, testdata, waitFor, type RunningNode } from '../support/node-process.js';
import type { RunningOrthanc } from '../support/orthanc.js';

/** Short quiet periods and retry delays so each case takes seconds. */
export const e2eConfig = {
  completion: { seriesQuietSeconds: 0.5, studyQuietSeconds: 1, sweepIntervalMs: 100 },
  runner: { pollIntervalMs: 200, leaseSeconds: 5 },
  export: { leaseSeconds: 5, retry: { baseSeconds: 0.5, maxSeconds: 1, maxAttempts: 20 } },
};

export const ctFiles = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
const newUid = () => `2.25.${BigInt(`0x${crypto.randomBytes(15).toString('hex')}`)}`;

export interface SentStudy { studyUid: string; seriesUid: string; files: string[] }

/** Sends `files` (default: dcmqi's 3-slice CT) to the node as a new study with fresh UIDs, as `callingAe`. */
export async function sendNewStudy(node: RunningNode, callingAe: string, files = ctFiles): Promise<SentStudy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-study-'));
  const copies = files.map((f, i) => { const out = path.join(dir, `${i}.dcm`); fs.copyFileSync(f, out); return out; });
  const studyUid = newUid();
  const seriesUid = newUid();
  const modified = await runTool('dcmodify',
    ['-nb', '-m', `(0020,000D)=${studyUid}`, '-m', `(0020,000E)=${seriesUid}`, '-gin', ...copies]);
  if (modified.code !== 0) throw new Error(modified.stderr);
  const sent = await storescu(node.dimsePort, copies, { callingAe, calledAe: node.aeTitle });
  if (sent.code !== 0) throw new Error(`storescu → node failed: ${sent.stderr}`);
  return { studyUid, seriesUid, files: copies };
}

/** Adds a destination through the admin API, as an administrator would. */
export async function addDestination(node: RunningNode, destination: Record<string, unknown>): Promise<void> {
  const res = await node.api('/api/destinations',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(destination) });
  if (res.status !== 201) throw new Error(`POST /api/destinations → ${res.status}: ${await res.text()}`);
}

export interface OrthancObject { id: string; modality: string; tags: Record<string, any> }

/** Every instance Orthanc holds for the study, with its simplified tags. */
export async function objectsInOrthanc(orthanc: RunningOrthanc, studyUid: string): Promise<OrthancObject[]> {
  const res = await fetch(orthanc.url('/tools/find'),
    { method: 'POST', body: JSON.stringify({ Level: 'Series', Query: { StudyInstanceUID: studyUid }, Expand: true }) });
  if (!res.ok) throw new Error(`Orthanc /tools/find → ${res.status}`);
  const series = (await res.json()) as Array<{ MainDicomTags: { Modality: string }; Instances: string[] }>;
  const out: OrthancObject[] = [];
  for (const s of series) {
    for (const id of s.Instances)
      out.push({ id, modality: s.MainDicomTags.Modality, tags: await orthanc.get(`/instances/${id}/tags?simplify`) });
  }
  return out;
}

/** Waits until Orthanc holds a SEG and an SR for the study; returns them. */
export async function resultsInOrthanc(orthanc: RunningOrthanc, studyUid: string, timeoutMs = 60_000):
  Promise<{ seg: OrthancObject; sr: OrthancObject }> {
  return waitFor(`SEG and SR of ${studyUid} in Orthanc`, async () => {
    const objects = await objectsInOrthanc(orthanc, studyUid).catch(() => []);
    const seg = objects.find((o) => o.modality === 'SEG');
    const sr = objects.find((o) => o.modality === 'SR');
    return seg && sr ? { seg, sr } : undefined;
  }, timeoutMs);
}

/** Every SeriesInstanceUID named inside a ReferencedSeriesSequence anywhere in the (nested) tags. */
export function referencedSeries(tags: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown, inReferencedSeries: boolean) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, inReferencedSeries));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'SeriesInstanceUID' && inReferencedSeries && typeof x === 'string') found.push(x);
      walk(x, inReferencedSeries || k === 'ReferencedSeriesSequence');
    }
  };
  walk(tags, false);
  return found;
}

/** dciodvfy on the object as Orthanc stores it (fetched through its REST API): the error lines. */
export async function dciodvfyErrors(orthanc: RunningOrthanc, id: string): Promise<string[]> {
  const r = await runTool('dciodvfy', [await fileFromOrthanc(orthanc, id)]);
  return (r.stdout + r.stderr).split('\n').filter((l) => /^Error/.test(l));
}

/** SegmentLabel values of a SEG as DCMTK's dcmdump reads the file Orthanc stores. */
export async function segmentLabelsInOrthanc(orthanc: RunningOrthanc, id: string): Promise<string[]> {
  const r = await runTool('dcmdump', ['+P', '0062,0005', await fileFromOrthanc(orthanc, id)]);
  return [...r.stdout.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1]);
}

/** The instance's file exactly as Orthanc stores it, written to a temporary path. */
export async function fileFromOrthanc(orthanc: RunningOrthanc, id: string): Promise<string> {
  const res = await fetch(orthanc.url(`/instances/${id}/file`));
  if (!res.ok) throw new Error(`Orthanc /instances/${id}/file → ${res.status}`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-orthanc-')), `${id}.dcm`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return file;
}

export interface Delivery { id: number; jobId: number; destinationId: string; sopInstanceUid: string; state: string;
  attempts: number; lastError: string | null }

/** The job's deliveries from the admin API, in the order they were made. */
export async function deliveriesOf(node: RunningNode, jobId: number): Promise<Delivery[]> {
  const res = await node.api(`/api/deliveries?jobId=${jobId}`);
  if (res.ok) return ((await res.json()) as Delivery[]).sort((a, b) => a.id - b.id);
  throw new Error(`GET /api/deliveries → ${res.status}`);
}

/** The study's single job, once routing created it. */
export async function jobOf(node: RunningNode, studyUid: string, timeoutMs = 30_000): Promise<any> {
  return waitFor(`job of ${studyUid}`, async () =>
    ((await (await node.api(`/api/jobs?studyUid=${studyUid}`)).json()) as any[])[0], timeoutMs);
}

/**
 * A TCP relay to Orthanc's DICOM port. While held, new connections are accepted but nothing is
 * read or forwarded, so a C-STORE association hangs half-way: the delivery is claimed ("sending")
 * and not finished — the moment to kill the node "mid-export".
 */
export async function startGate(target: number): Promise<{ port: number; held: boolean; hold: () => void;
  open: () => void; connections: () => number; stop: () => Promise<void> }> {
  const waiting: net.Socket[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const relay = (client: net.Socket) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  };
  const server = net.createServer((client) => {
    connections++;
    sockets.add(client);
    if (gate.held) { client.pause(); waiting.push(client); } else relay(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gate = {
    port: (server.address() as net.AddressInfo).port,
    held: false,
    hold: () => { gate.held = true; },
    /** Later connections go through; the ones held so far are dropped (their sender is gone or gave up). */
    open: () => { gate.held = false; for (const s of waiting.splice(0)) s.destroy(); },
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
  return gate;
}

/** The seeded CT rule (config/rules.json) with its replies sent to `destinations` instead. */
export function ctRuleSendingTo(destinations: string[]): Record<string, any> {
  const { rules } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'config/rules.json'), 'utf8'));
  const rule = rules.find((r: any) => r.id === 'ct-body-lung');
  return { ...rule, actions: rule.actions.map((a: any) => ({ ...a, destinations })) };
}
