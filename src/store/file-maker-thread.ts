// The file maker's thread: makes an acknowledged instance's final file from its bytes in the receive
// journal (read back from the page cache) — temporary file, then rename over the final name — so that
// none of the copy, the file creation or the rename (which ext4 makes costly when it replaces a file)
// runs on the main thread between a C-STORE-RSP and the next request.
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { readRing } from './journal-record.js';
import type { MakeFile, MadeFile } from './file-maker.js';

const knownDirs = new Set<string>();
/** Reused for instances up to 4 MiB: a new buffer each would stay allocated until the thread's next collection. */
const buffer = Buffer.allocUnsafeSlow(4 * 1048576);

function make(req: MakeFile): void {
  const size = req.fragments.reduce((s, f) => s + f.length, 0);
  const bytes = size <= buffer.length ? buffer.subarray(0, size) : Buffer.allocUnsafe(size);
  const ring = fs.openSync(req.ring, 'r');
  try {
    let at = 0;
    for (const f of req.fragments) {
      readRing(ring, req.dataSize, f.at, f.length, bytes, at);
      at += f.length;
    }
  } finally {
    fs.closeSync(ring);
  }
  fs.writeFileSync(req.tempPath, bytes, { mode: 0o640 });
  const dir = path.dirname(req.finalPath);
  if (!knownDirs.has(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    if (knownDirs.size > 10_000) knownDirs.clear();
    knownDirs.add(dir);
  }
  try {
    fs.renameSync(req.tempPath, req.finalPath);
  } catch (err) {
    knownDirs.delete(dir); // the folder may have been removed (retention): made again on the retry
    throw err;
  }
}

parentPort!.on('message', (req: MakeFile) => {
  let reply: MadeFile;
  try {
    make(req);
    reply = { id: req.id };
  } catch (err) {
    fs.rmSync(req.tempPath, { force: true });
    const e = err as NodeJS.ErrnoException;
    reply = { id: req.id, error: { message: e.message, code: e.code } };
  }
  parentPort!.postMessage(reply);
});
