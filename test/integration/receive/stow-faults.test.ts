// STOW-RS faults of issue 15: aborted uploads leave no temporary file (fault 5), and a part cut
// exactly at a data-element boundary, with no closing delimiter, is not stored (fault 6).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTmpDirOf, startNode, testdata, waitFor, type RunningNode } from '../../support/node-process.js';

const ctFile = path.join(testdata, 'dcmqi-ct3/01.dcm');
const contentType = (boundary: string) => `multipart/related; type="application/dicom"; boundary=${boundary}`;
const partHead = (boundary: string) => Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
const tmpFiles = (node: RunningNode) => fs.readdirSync(node.tmpDir);
const storedFiles = (node: RunningNode) => {
  const root = path.join(node.dataDir, 'studies');
  return fs.existsSync(root)
    ? fs.readdirSync(root, { recursive: true }).map(String).filter((f) => f.endsWith('.dcm')) : [];
};

/** Starts a STOW whose body is announced longer than what is sent, then drops the connection. */
async function abortedUpload(node: RunningNode, sent: Buffer, announced: number, arrived?: () => boolean):
  Promise<void> {
  const socket = net.connect(node.httpPort, '127.0.0.1');
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', r));
  socket.write(`POST /dicomweb/studies HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType('cut')}\r\nContent-Length: ${announced}\r\n\r\n`);
  socket.write(sent);
  if (arrived) await waitFor('the upload to reach the node', () => arrived() || undefined);
  else await new Promise((r) => setTimeout(r, 200));
  socket.destroy();
}

const aborted = (node: RunningNode) => node.logs().filter((l) => l.event === 'stow.request.aborted').length;

describe('STOW-RS uploads that do not finish', () => {
  let node: RunningNode;
  // A 1 MiB receive journal takes instances up to about 256 KiB; bigger ones go to a temporary file.
  beforeAll(async () => {
    process.env.DICOM_AI_NODE_JOURNAL_MB = '1';
    try {
      node = await startNode();
    } finally {
      delete process.env.DICOM_AI_NODE_JOURNAL_MB;
    }
  });
  afterAll(async () => { await node?.stop(); });

  it('removes the temporary file of every upload the client aborts', async () => {
    const body = Buffer.concat([partHead('cut'), fs.readFileSync(ctFile).subarray(0, 400_000)]);
    for (let i = 0; i < 10; i++) {
      await abortedUpload(node, body, body.length + 5_000_000, () => tmpFiles(node).length > 0);
      await waitFor(`temporary file of aborted upload ${i + 1} removed`,
        () => tmpFiles(node).length === 0 || undefined);
    }
    expect(storedFiles(node)).toEqual([]);
    expect((await fetch(node.url('/api/health'))).status).toBe(200);
  });

  it('keeps nothing of aborted uploads small enough for the receive journal', async () => {
    // No temporary file is made for these (the bytes go to the journal): the node's abort event says it saw each one.
    const body = Buffer.concat([partHead('cut'), fs.readFileSync(ctFile).subarray(0, 100_000)]);
    for (let i = 0; i < 10; i++) {
      const before = aborted(node);
      await abortedUpload(node, body, body.length + 5_000_000);
      await waitFor(`aborted upload ${i + 1} handled`, () => aborted(node) > before || undefined);
      expect(tmpFiles(node)).toEqual([]);
    }
    expect(storedFiles(node)).toEqual([]);
    expect((await fetch(node.url('/api/health'))).status).toBe(200);
  });

  it('does not store a last part cut exactly at a data-element boundary', async () => {
    // Cut just before Pixel Data (7FE0,0010): what arrived is a well-formed data set without
    // pixels, so only the missing closing delimiter tells that the part is not whole.
    const file = fs.readFileSync(ctFile);
    const pixelData = file.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    expect(pixelData).toBeGreaterThan(132);
    const body = Buffer.concat([partHead('cut'), file.subarray(0, pixelData)]);
    const res = await fetch(node.url('/dicomweb/studies'),
      { method: 'POST', body, headers: { 'content-type': contentType('cut') } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe('STOW_MALFORMED_MULTIPART');
    expect(storedFiles(node)).toEqual([]);
    expect(await (await node.api('/api/studies')).json()).toEqual([]);
    expect(tmpFiles(node)).toEqual([]);
  });

  it('keeps the parts whose closing delimiter came before the cut', async () => {
    const file = fs.readFileSync(ctFile);
    const pixelData = file.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    const other = fs.readFileSync(path.join(testdata, 'dcmqi-ct3/02.dcm'));
    const body =
      Buffer.concat([partHead('cut'), other, Buffer.from('\r\n'), partHead('cut'), file.subarray(0, pixelData)]);
    const res = await fetch(node.url('/dicomweb/studies'),
      { method: 'POST', body, headers: { 'content-type': contentType('cut') } });
    expect(res.status).toBe(400);
    expect(storedFiles(node)).toHaveLength(1);
    expect(tmpFiles(node)).toEqual([]);
  });
});

describe('temporary files left by a crash', () => {
  it('are swept when the node starts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dain-stale-'));
    fs.mkdirSync(defaultTmpDirOf(dir), { recursive: true });
    fs.writeFileSync(path.join(defaultTmpDirOf(dir), '0f1e2d3c.part'), Buffer.alloc(4096, 1));
    const node = await startNode({}, { dataDir: dir });
    try {
      expect(node.tmpDir).toBe(defaultTmpDirOf(dir));
      expect(tmpFiles(node)).toEqual([]);
    } finally {
      await node.stop();
    }
  });
});
