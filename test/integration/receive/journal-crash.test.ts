// Kill -9 at each point of the journaled store path (DICOM_AI_NODE_CRASH_AT, compiled into the node):
// after the journal write but before Success, after Success but before the file is made, and
// between the file and its row. After a restart every acknowledged instance is stored once, with
// the bytes storescu sent, and every row points at a complete file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetLayout, runTool } from '../../support/dcmtk.js';
import { queryNode, startNode, waitFor, type RunningNode } from '../../support/node-process.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';

const SLICES = 6;
const CRASH_AT_INSTANCE = 3;
let work: string;
let files: string[];
let sent: Map<string, { ts: string; offset: number; sop: string }>;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'journal-crash-'));
  files = (await writeSyntheticCtSeries(path.join(work, 'series'), { slices: SLICES, rows: 64, columns: 64 })).files;
  sent = await datasetLayout(files);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function crashingNode(point: string, dataDir: string): Promise<RunningNode> {
  process.env.DICOM_AI_NODE_CRASH_AT = `${point}:${CRASH_AT_INSTANCE}`;
  try {
    return await startNode({}, { dataDir });
  } finally {
    delete process.env.DICOM_AI_NODE_CRASH_AT;
  }
}

describe.each([
  { point: 'journal-written', acked: CRASH_AT_INSTANCE - 1 },
  { point: 'acknowledged', acked: CRASH_AT_INSTANCE },
  { point: 'materialising', acked: CRASH_AT_INSTANCE },
])('kill -9 at $point', ({ point, acked }) => {
  it('loses nothing acknowledged, stores nothing twice, keeps the bytes exact', async () => {
    const dataDir = fs.mkdtempSync(path.join(work, `${point}-`));
    const node = await crashingNode(point, dataDir);
    const exited = new Promise<string | null>((r) => node.process.once('exit', (_c, signal) => r(signal)));
    // -xe: uncompressed syntaxes only, explicit VR little endian (the files' own) first, so the data set is sent as is.
    const r = await runTool('storescu',
      ['-v', '-xe', '-aet', 'TESTSCU', '-aec', node.aeTitle, '127.0.0.1', String(node.dimsePort), ...files]);
    expect(await exited).toBe('SIGKILL');
    const successes = (r.stdout + r.stderr).match(/Received Store Response \(Success\)/g)?.length ?? 0;
    // Before Success the peer heard nothing for the instance; after it, the peer holds the ack.
    if (point === 'journal-written') expect(successes).toBe(acked);
    else expect(successes).toBeGreaterThanOrEqual(acked);

    const restarted = await startNode({}, { dataDir });
    try {
      // The instance cut off by the crash came back from the journal, not from the peer.
      const replay = restarted.logs().find((l) => l.event === 'store.journal.replayed');
      expect(replay?.instances).toBeGreaterThanOrEqual(1);
      const rows = queryNode<{ sop: string; path: string; size: number; times: number }>(restarted,
        'SELECT sop_instance_uid AS sop, path, size, times_received AS times FROM instances');
      const counted = queryNode<{ value: number }>(restarted,
        "SELECT value FROM counters WHERE name = 'instances_stored'")[0]?.value ?? 0;
      const bySop = new Map(rows.map((row) => [row.sop, row]));
      for (const f of files.slice(0, successes))
        expect(bySop.has(sent.get(f)!.sop), `acknowledged ${path.basename(f)} is stored`).toBe(true);
      expect(rows.every((row) => row.times === 1)).toBe(true);
      expect(counted).toBe(rows.length);
      const stored = await datasetLayout(rows.map((row) => row.path));
      for (const row of rows) {
        expect(fs.statSync(row.path).size).toBe(row.size); // a row only for a complete file
        const source = files.find((f) => sent.get(f)!.sop === row.sop)!;
        const want = fs.readFileSync(source).subarray(sent.get(source)!.offset);
        const got = fs.readFileSync(row.path).subarray(stored.get(row.path)!.offset);
        expect(got.equals(want), `bytes of ${path.basename(source)}`).toBe(true);
      }
      expect(fs.readdirSync(restarted.tmpDir)).toEqual([]);
      // The peer sends the rest again (as a real modality would): everything ends up stored exactly once more.
      const again = await runTool('storescu',
        ['-xe', '-aet', 'TESTSCU', '-aec', restarted.aeTitle, '127.0.0.1', String(restarted.dimsePort), ...files]);
      expect(again.code).toBe(0);
      await waitFor('all instances indexed',
        () => queryNode(restarted, 'SELECT sop_instance_uid FROM instances').length === SLICES || undefined);
    } finally {
      await restarted.stop();
    }
  }, 120_000);
});
