// Shared set-up for the outbox tests: a fresh database, a destination, a capturing logger and the
// outbox started with short retry settings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../../src/config/load.js';
import type { NodeConfig } from '../../../src/config/schema.js';
import type { Db } from '../../../src/db/database.js';
import { openTestDatabase } from '../../support/postgres.js';
import { listDeliveries, type DeliveryRow } from '../../../src/db/deliveries.js';
import { putDestination } from '../../../src/db/destinations.js';
import type { Destination } from '../../../src/export/destination.js';
import { enqueueDeliveries, startOutbox, type Outbox } from '../../../src/export/outbox.js';
import type { Fields, LogEvent, Logger } from '../../../src/log/logger.js';
import { datasetLayout } from '../../support/dcmtk.js';
import { testdata } from '../../support/node-process.js';
import type { RunningOrthanc } from '../../support/orthanc.js';
import { expect } from 'vitest';

export const samples = {
  ctExplicit: path.join(testdata, 'pydicom/CT_small.dcm'),
  rgbRle: path.join(testdata, 'pydicom/SC_rgb_rle.dcm'),
  rgbJpeg: path.join(testdata, 'pydicom/SC_rgb_jpeg_dcmtk.dcm'),
  j2k: path.join(testdata, 'pydicom/JPEG2000.dcm'),
  ctImplicit: path.join(testdata, 'dcmqi-ct3/01.dcm'),
};

export type LogLine = Fields & { event: LogEvent; level: string };

export interface Harness { db: Db; outbox: Outbox; logs: LogLine[]; config: NodeConfig; stop(): Promise<void> }

export type ExportOverrides = Partial<Omit<NodeConfig['export'], 'retry' | 'circuit'>> & {
  retry?: Partial<NodeConfig['export']['retry']>; circuit?: Partial<NodeConfig['export']['circuit']> };

export function startHarness(destinations: Destination[], overrides: ExportOverrides = {}): Harness {
  const base = loadConfig({});
  const config: NodeConfig = {
    ...base,
    dicom: { ...base.dicom, aeTitle: 'AI_NODE_TEST' },
    export: {
      ...base.export, schedule: '* * * * * *', leaseSeconds: 30, ...overrides,
      retry: { baseSeconds: 0.2, maxSeconds: 1, maxAttempts: 20, ...overrides.retry },
      circuit: { failures: 50, coolDownSeconds: 1, ...overrides.circuit },
    },
  };
  const db = openTestDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-db-')));
  for (const d of destinations) putDestination(db, d);
  const logs: LogLine[] = [];
  const at = (level: string) => (event: LogEvent, fields: Fields = {}) => { logs.push({ ...fields, event, level }); };
  const log: Logger =
    { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug'), close: async () => {} };
  const outbox = startOutbox(db, config, log);
  return { db, outbox, logs, config, stop: async () => { await outbox.stop(); db.close(); } };
}

/** Reads each file's SOP/transfer syntax with pydicom (not the code under test) and queues it for the destination. */
export async function enqueueFiles(h: Harness, destinationId: string, files: string[],
  jobId: number | null = null): Promise<number> {
  const layout = await datasetLayout(files);
  const header = await sopClasses(files);
  const items = files.map((f) => ({ jobId, destinationId, path: f, sopClassUid: header.get(f)!,
    sopInstanceUid: layout.get(f)!.sop, transferSyntaxUid: layout.get(f)!.ts }));
  const n = enqueueDeliveries(h.db, items);
  h.outbox.kick();
  return n;
}

async function sopClasses(files: string[]): Promise<Map<string, string>> {
  const { runTool } = await import('../../support/dcmtk.js');
  const out = new Map<string, string>();
  for (const f of files) {
    const r = await runTool('dcmdump', ['-s', '-Un', '+P', '0008,0016', f]);
    out.set(f, /\[([0-9.]+)\]/.exec(r.stdout)![1]);
  }
  return out;
}

export function rows(h: Harness, destinationId?: string): DeliveryRow[] {
  return listDeliveries(h.db, { destinationId, limit: 1000 });
}

/**
 * Orthanc with HTTP basic auth. test/support/orthanc.ts waits for an unauthenticated GET /system
 * to answer 200, which never happens with auth on, so this starts it directly and waits for 401.
 */
export async function startOrthancWithAuth(users: Record<string, string>): Promise<{
  url: (p: string) => string; dicomWeb: string; stop: () => Promise<void> }> {
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('../../support/node-process.js');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orthanc-auth-'));
  const httpPort = await freePort();
  const config = {
    Name: 'auth-pacs', HttpPort: httpPort, DicomPort: await freePort(), DicomAet: 'ORTHANC',
    HttpBindAddress: '127.0.0.1', StorageDirectory: path.join(dir, 'storage'), IndexDirectory: path.join(dir, 'index'),
    Plugins: ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so'], DicomWeb: { Enable: true, Root: '/dicom-web/' },
    RemoteAccessAllowed: false, AuthenticationEnabled: true, RegisteredUsers: users,
  };
  fs.writeFileSync(path.join(dir, 'orthanc.json'), JSON.stringify(config));
  const child = spawn('Orthanc', [path.join(dir, 'orthanc.json')], { stdio: 'ignore' });
  const url = (p: string) => `http://127.0.0.1:${httpPort}${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = await fetch(url('/system')).then((r) => r.status, () => 0);
    if (status === 401) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL'); throw new Error('Orthanc with auth did not start'); }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, dicomWeb: url('/dicom-web'),
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve(); child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}

/** Orthanc holds exactly the SOP instances of `files` (as pydicom reads them), nothing more. */
export async function expectOrthancHolds(orthanc: RunningOrthanc, files: string[]): Promise<string[]> {
  const instances: string[] = await orthanc.get('/instances');
  expect(instances).toHaveLength(files.length);
  const layout = await datasetLayout(files);
  const stored = await Promise.all(
    instances.map(async (id) => (await orthanc.get(`/instances/${id}/simplified-tags`)).SOPInstanceUID));
  expect(stored.sort()).toEqual(files.map((f) => layout.get(f)!.sop).sort());
  return instances;
}

/** Each original arrived once, with its stored transfer syntax and its data set bytes unchanged
 *  (pydicom reads both). */
export async function expectByteIdentical(originals: string[], arrived: string[]): Promise<void> {
  expect(arrived).toHaveLength(originals.length);
  const layout = await datasetLayout([...originals, ...arrived]);
  for (const original of originals) {
    const want = layout.get(original)!;
    const got = arrived.find((r) => layout.get(r)!.sop === want.sop);
    expect(got, `received ${want.sop}`).toBeDefined();
    expect(layout.get(got!)!.ts).toBe(want.ts);
    expect(fs.readFileSync(got!).subarray(layout.get(got!)!.offset)
      .equals(fs.readFileSync(original).subarray(want.offset)), `${path.basename(original)} data set bytes`).toBe(true);
  }
}
