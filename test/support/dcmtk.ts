// Runs DCMTK command-line tools (the real peers) with TCP_NODELAY set, as PEERS.md advises.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { allocatePort } from './ports.js';

export interface ToolResult { code: number | null; stdout: string; stderr: string }

export function runTool(cmd: string, args: string[],
  opts: { timeoutMs?: number; input?: Buffer } = {}): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, TCP_NODELAY: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    if (opts.input) child.stdin.end(opts.input); else child.stdin.end();
  });
}

export function storescu(port: number, files: string[],
  opts: { callingAe?: string; calledAe?: string; proposal?: string } = {}): Promise<ToolResult> {
  const args = ['-aet', opts.callingAe ?? 'TESTSCU', '-aec', opts.calledAe ?? 'DICOM_AI_NODE', '-R'];
  if (opts.proposal) args.push(opts.proposal);
  return runTool('storescu', [...args, '127.0.0.1', String(port), ...files]);
}

export function echoscu(port: number, opts: { callingAe?: string; calledAe?: string } = {}): Promise<ToolResult> {
  return runTool('echoscu',
    ['-aet', opts.callingAe ?? 'TESTSCU', '-aec', opts.calledAe ?? 'DICOM_AI_NODE', '127.0.0.1', String(port)]);
}

/** Transfer syntax and data set offset of a file as pydicom (Debian's, an independent reader) sees them. */
export async function datasetLayout(files: string[]): Promise<Map<string,
  { ts: string; offset: number; sop: string }>> {
  const script = `
import sys, pydicom
from pydicom.filereader import read_preamble, _read_file_meta_info
for p in sys.argv[1:]:
    with open(p, 'rb') as f:
        sop = pydicom.dcmread(p, force=True, stop_before_pixels=True).get('SOPInstanceUID', '-')
        if read_preamble(f, True) is None:
            ds = pydicom.dcmread(p, force=True, stop_before_pixels=True)
            print(p, '1.2.840.10008.1.2' if ds.is_implicit_VR else '1.2.840.10008.1.2.1', 0, sop)
        else:
            meta = _read_file_meta_info(f)
            print(p, meta.TransferSyntaxUID, f.tell(), sop)
`;
  const r = await runTool('/usr/bin/python3', ['-c', script, ...files]);
  if (r.code !== 0) throw new Error(r.stderr);
  const out = new Map<string, { ts: string; offset: number; sop: string }>();
  for (const line of r.stdout.trim().split('\n')) {
    const [p, ts, off, sop] = line.split(' ');
    out.set(p, { ts, offset: Number(off), sop });
  }
  return out;
}

/** The storescu option that proposes (first) a given transfer syntax. */
export const proposalFor: Record<string, string> = {
  '1.2.840.10008.1.2': '-xi', '1.2.840.10008.1.2.1': '-xe', '1.2.840.10008.1.2.2': '-xb',
  '1.2.840.10008.1.2.1.99': '-xd', '1.2.840.10008.1.2.4.50': '-xy', '1.2.840.10008.1.2.4.51': '-xx',
  '1.2.840.10008.1.2.4.57': '-xs', '1.2.840.10008.1.2.4.70': '-xs', '1.2.840.10008.1.2.4.80': '-xt',
  '1.2.840.10008.1.2.4.81': '-xu', '1.2.840.10008.1.2.4.90': '-xv', '1.2.840.10008.1.2.4.91': '-xw',
  '1.2.840.10008.1.2.5': '-xr',
};

/** DCMTK storescp writing exactly what it receives (+B): the reference for "bytes as sent". */
export async function startReferenceScp(): Promise<{ port: number; dir: string; stop: () => void }> {
  const port = await allocatePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'refscp-'));
  const child = spawn('storescp', ['-aet', 'REFSCP', '+B', '+xa', '-od', dir, String(port)],
    { env: { ...process.env, TCP_NODELAY: '1' }, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, dir, stop: () => child.kill() };
}
