// An instance too big for the receive journal leaves it in mid-transfer and takes the direct path
// (temporary file, fsync, rename, row): with a 4 MiB ring the limit is about 1 MiB, so a 2 MiB CT
// slice starts in the journal and finishes direct, while a small one stays journaled. Both must be
// stored byte for byte as storescu sent them, with nothing left in tmp/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetLayout, runTool } from '../../support/dcmtk.js';
import { queryNode, startNode, waitFor, type RunningNode } from '../../support/node-process.js';
import { RawPeer } from '../../support/raw-association.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';

let work: string;
let node: RunningNode;
let files: string[];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'direct-path-'));
  const big = await writeSyntheticCtSeries(path.join(work, 'big'), { slices: 2, rows: 1024, columns: 1024 });
  const small = await writeSyntheticCtSeries(path.join(work, 'small'), { slices: 2, rows: 64, columns: 64 });
  files = [big.files[0], small.files[0], big.files[1], small.files[1]];
  fs.mkdirSync(path.join(work, 'data'));
  process.env.DICOM_AI_NODE_JOURNAL_MB = '4';
  try {
    node = await startNode({}, { dataDir: path.join(work, 'data') });
  } finally {
    delete process.env.DICOM_AI_NODE_JOURNAL_MB;
  }
});
afterAll(async () => {
  await node?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('instances larger than the journal takes', () => {
  it('are stored byte for byte through the direct path, next to journaled ones', async () => {
    expect(fs.statSync(files[0]).size).toBeGreaterThan(2 * 1048576);
    const r = await runTool('storescu',
      ['-xe', '-aet', 'TESTSCU', '-aec', node.aeTitle, '127.0.0.1', String(node.dimsePort), ...files]);
    expect(r.code, r.stderr).toBe(0);
    const rows = queryNode<{ sop: string; path: string; size: number }>(node,
      'SELECT sop_instance_uid AS sop, path, size FROM instances');
    expect(rows.length).toBe(files.length);
    const sent = await datasetLayout(files);
    const stored = await datasetLayout(rows.map((row) => row.path));
    for (const f of files) {
      const row = rows.find((x) => x.sop === sent.get(f)!.sop)!;
      const want = fs.readFileSync(f).subarray(sent.get(f)!.offset);
      const got = fs.readFileSync(row.path).subarray(stored.get(row.path)!.offset);
      expect(got.equals(want), `bytes of ${path.basename(f)}`).toBe(true);
      expect(fs.statSync(row.path).size).toBe(row.size);
    }
    expect(fs.readdirSync(node.tmpDir)).toEqual([]);
  }, 120_000);

  it('removes the temporary file when the peer disconnects mid-transfer', async () => {
    // Past the 1 MiB limit the bytes go to a temporary file, which must not outlive the association.
    const tmpFiles = () => fs.readdirSync(node.tmpDir);
    const peer = await RawPeer.connect(node.dimsePort);
    expect(await peer.associate(node.aeTitle)).toBe(0x02);
    peer.sendPartialStore('1.2.826.0.1.3680043.10.1462.99.2', 1_500_000);
    await waitFor('temp file created', () => tmpFiles().length === 1 || undefined);
    peer.destroy();
    await waitFor('temp file removed', () => tmpFiles().length === 0 || undefined);
    expect(queryNode(node, 'SELECT sop_instance_uid FROM instances WHERE sop_instance_uid = ?',
      '1.2.826.0.1.3680043.10.1462.99.2'))
      .toEqual([]);
  });
});
