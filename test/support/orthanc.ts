// Starts a real Orthanc (Debian package, DICOMweb plugin) as the PACS in tests, on free loopback
// ports, and talks to it over its REST API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocatePort } from './ports.js';

export interface RunningOrthanc {
  aeTitle: string;
  dicomPort: number;
  httpPort: number;
  url: (p: string) => string;
  /** The DICOMweb root (STOW-RS target): http://127.0.0.1:<port>/dicom-web */
  dicomWeb: string;
  get: (p: string) => Promise<any>;
  process: ChildProcess;
  stop: () => Promise<void>;
  /** Starts it again on the same ports and storage (after stop()). */
  restart: () => Promise<RunningOrthanc>;
}

/** `overrides` is merged into Orthanc's JSON configuration (e.g. DicomModalities, DicomAlwaysAllowStore). */
export async function startOrthanc(overrides: Record<string, unknown> = {},
  reuse?: { dir: string; httpPort: number; dicomPort: number }): Promise<RunningOrthanc> {
  const dir = reuse?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'orthanc-'));
  const httpPort = reuse?.httpPort ?? (await allocatePort());
  const dicomPort = reuse?.dicomPort ?? (await allocatePort());
  const config = {
    Name: 'test-pacs', HttpPort: httpPort, DicomPort: dicomPort, DicomAet: 'ORTHANC',
    StorageDirectory: path.join(dir, 'storage'), IndexDirectory: path.join(dir, 'index'),
    Plugins: ['/usr/share/orthanc/plugins/libOrthancDicomWeb.so'],
    DicomWeb: { Enable: true, Root: '/dicom-web/' },
    RemoteAccessAllowed: false, AuthenticationEnabled: false, HttpBindAddress: '127.0.0.1',
    DicomCheckCalledAeTitle: false, DicomAlwaysAllowStore: true, UnknownSopClassAccepted: true,
    StableAge: 1, ConcurrentJobs: 1, LogExportedResources: false,
    ...overrides,
  };
  const configFile = path.join(dir, 'orthanc.json');
  fs.writeFileSync(configFile, JSON.stringify(config));
  let output = '';
  const child = spawn('Orthanc', [configFile],
    { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = (p: string) => `http://127.0.0.1:${httpPort}${p}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Orthanc exited with ${child.exitCode}: ${output.slice(-2000)}`);
    try {
      const probe = await fetch(url('/system'));
      if (probe.ok || probe.status === 401) break; // 401: up, with authentication enabled
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Orthanc did not start: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const self: RunningOrthanc = {
    aeTitle: 'ORTHANC', dicomPort, httpPort, url, dicomWeb: url('/dicom-web'),
    get: async (p) => {
      const res = await fetch(url(p));
      if (!res.ok) throw new Error(`GET ${p} → ${res.status}`);
      return res.json();
    },
    process: child,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
    restart: () => startOrthanc(overrides, { dir, httpPort, dicomPort }),
  };
  return self;
}
