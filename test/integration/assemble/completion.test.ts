// Study completion on the running node: by quiet period, by the counts the data announce, and a
// late instance reopening a complete study as a new revision.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool, storescu } from '../../support/dcmtk.js';
import { ADMIN_TOKEN, startNode, testdata, waitFor, type RunningNode } from '../../support/node-process.js';

const ct = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
const getJson = async (url: string) =>
  (await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json() as Promise<any>;

const newUid = () => `2.25.${BigInt(`0x${crypto.randomBytes(15).toString('hex')}`)}`;
/** dcmodify arguments that move copies into a fresh study and series (shared by all copies). */
const freshStudy = () => ['-m', `(0020,000D)=${newUid()}`, '-m', `(0020,000E)=${newUid()}`, '-gin'];

/** Copies files and edits them with DCMTK's dcmodify (new UIDs or announced counts). */
async function modifiedCopies(files: string[], args: string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ct-'));
  const out = files.map((f, i) => path.join(dir, `${i}.dcm`));
  files.forEach((f, i) => fs.copyFileSync(f, out[i]));
  const r = await runTool('dcmodify', ['-nb', ...args, ...out]);
  if (r.code !== 0) throw new Error(r.stderr);
  return out;
}

describe('completion by quiet period', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ completion: { seriesQuietSeconds: 1, studyQuietSeconds: 2, sweepIntervalMs: 100 } }); });
  afterAll(async () => { await node?.stop(); });

  it('completes series after their quiet period and the study after its own', async () => {
    const files = await modifiedCopies(ct, freshStudy());
    expect((await storescu(node.dimsePort, files, { proposal: '-xi' })).code).toBe(0);
    const [study] = await getJson(node.url('/api/studies'));
    expect(study.state).toBe('receiving');
    const done = await waitFor('study complete', async () => {
      const s = await getJson(node.url(`/api/studies/${study.studyInstanceUid}`));
      return s.state === 'complete' ? s : undefined;
    }, 10_000);
    expect(done.completions).toEqual([expect.objectContaining({ revision: 1, reason: 'quiet-period', instances: 3 })]);
    expect(Date.parse(done.completedAt) - Date.parse(done.lastReceivedAt)).toBeGreaterThanOrEqual(1900);
    expect(done.seriesList[0]).toMatchObject({ state: 'complete', completionReason: 'quiet-period', instances: 3 });
  });
});

describe('completion by expected count, and reopening', () => {
  let node: RunningNode;
  beforeAll(async () => { node = await startNode({
    completion: { seriesQuietSeconds: 60, studyQuietSeconds: 120, sweepIntervalMs: 100 } }); });
  afterAll(async () => { await node?.stop(); });

  it('completes as soon as NumberOfStudyRelatedInstances have arrived, long before the quiet period', async () => {
    const files = await modifiedCopies(ct, [...freshStudy(), '-i', '(0020,1208)=3']);
    expect((await storescu(node.dimsePort, files, { proposal: '-xi' })).code).toBe(0);
    const [study] = await getJson(node.url('/api/studies'));
    expect(study.state).toBe('complete');
    const detail = await getJson(node.url(`/api/studies/${study.studyInstanceUid}`));
    expect(detail.completions)
      .toEqual([expect.objectContaining({ revision: 1, reason: 'expected-count', instances: 3 })]);
    expect(node.logs().some((l) => l.event === 'study.complete' && l.reason === 'expected-count')).toBe(true);

    // A late instance of the same study (new SOP Instance UID) reopens it as revision 2.
    const late = await modifiedCopies([files[0]], ['-gin', '-i', '(0020,1208)=4']);
    expect((await storescu(node.dimsePort, late, { proposal: '-xi' })).code).toBe(0);
    const reopened = await getJson(node.url(`/api/studies/${study.studyInstanceUid}`));
    expect(node.logs().some((l) => l.event === 'study.reopened' && l.revision === 2)).toBe(true);
    expect(reopened.revision).toBe(2);
    expect(reopened.instances).toBe(4);
    expect(reopened.completions.map((c: any) => [c.revision, c.instances])).toEqual([[1, 3], [2, 4]]);
  });

  it('waits for the quiet period when the data announce no count', async () => {
    const files = await modifiedCopies(ct, freshStudy());
    expect((await storescu(node.dimsePort, files, { proposal: '-xi' })).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    const studies = await getJson(node.url('/api/studies?state=receiving'));
    expect(studies).toHaveLength(1);
  });
});
