// A small "external AI service" for the end-to-end test, run as its own process: it watches an Orthanc (the
// service's inbox, over its REST API), runs the node's built-in model on each stable study it receives (the CLI
// `segment`), and sends the SEG + SR back to the node's SCP with DCMTK dcmsend. With --bogus it also sends a copy of
// the SEG that references a series nobody sent it (a UID the node's mapping cannot know), which the node must
// quarantine. With --stow URL it answers over STOW-RS to that URL (the node's /dicomweb/studies) instead.
// Usage: node --import tsx external-ai.ts --orthanc URL --work DIR (--node-port N --node-ae AE | --stow URL) [--bogus]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './node-process.js';

const arg = (name: string) => process.argv[process.argv.indexOf(`--${name}`) + 1]!;
const orthanc = arg('orthanc');
const work = arg('work');
const bogus = process.argv.includes('--bogus');
const done = new Set<string>();

async function get(p: string): Promise<any> {
  const r = await fetch(`${orthanc}${p}`);
  if (!r.ok) throw new Error(`${p} → ${r.status}`);
  return p.endsWith('/file') ? Buffer.from(await r.arrayBuffer()) : r.json();
}

async function handle(studyId: string): Promise<void> {
  const dir = path.join(work, studyId);
  const input = path.join(dir, 'in');
  const output = path.join(dir, 'out');
  fs.mkdirSync(input, { recursive: true });
  const instances = (await get(`/studies/${studyId}/instances`)) as Array<{ ID: string }>;
  for (const [i, id] of instances.map((x) => x.ID).entries()) {
    fs.writeFileSync(path.join(input, `${i}.dcm`), await get(`/instances/${id}/file`));
  }
  execFileSync(process.execPath, [path.join(repoRoot, 'dist/src/cli.js'), 'segment', '--model', 'ct-body-lung',
    '--input', input, '--output', output, '--uid-root', '2.25'], { stdio: 'ignore' });
  const files = ['seg.dcm', 'sr.dcm'].map((f) => path.join(output, f)).filter((f) => fs.existsSync(f));
  if (bogus) {
    const copy = path.join(output, 'bogus-seg.dcm');
    fs.copyFileSync(path.join(output, 'seg.dcm'), copy);
    execFileSync('dcmodify', ['-nb', '-m', '(0008,1115)[0].(0020,000E)=2.25.1234567890123456789',
      '-m', '(0008,0018)=2.25.998877665544332211', copy]);
    files.push(copy);
  }
  if (process.argv.includes('--stow')) await stow(arg('stow'), files);
  else {
    execFileSync('dcmsend', ['-aet', 'EXTERNAL_AI', '-aec', arg('node-ae'), '127.0.0.1', arg('node-port'), ...files],
      { stdio: 'pipe' });
  }
  fs.writeFileSync(path.join(dir, 'sent'), files.join('\n'));
}

/** One STOW-RS request (multipart/related, one application/dicom part per file), as a DICOMweb client sends it. */
async function stow(url: string, files: string[]): Promise<void> {
  const boundary = `ext-ai-${Date.now()}`;
  const parts = files.flatMap((f) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
    fs.readFileSync(f), Buffer.from('\r\n')]);
  const body = Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]);
  const type = `multipart/related; type="application/dicom"; boundary=${boundary}`;
  const headers = { 'content-type': type, accept: 'application/dicom+json' };
  const res = await fetch(url, { method: 'POST', headers, body });
  if (res.status >= 400) throw new Error(`STOW-RS ${url} → ${res.status}: ${await res.text()}`);
}

for (;;) {
  try {
    for (const id of (await get('/studies')) as string[]) {
      if (done.has(id) || !(await get(`/studies/${id}`)).IsStable) continue;
      done.add(id);
      await handle(id);
    }
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr ?? '';
    fs.appendFileSync(path.join(work, 'errors.log'), `${(err as Error).message}\n${stderr}\n`);
  }
  await new Promise((r) => setTimeout(r, 300));
}
