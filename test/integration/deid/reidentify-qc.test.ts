// The external action's qc on a real database: the service's SEG (dcmqi's liver SEG on its 3-slice CT, sent out
// de-identified and answered under the pseudonymous study) is re-identified, read onto the stored source series in a
// worker and checked; a pass is released to the destinations, a failed check (a volume limit, a segment the SEG
// lacks) is held for review or not sent as the action's onQcFail says. The router gives the answer's job that policy.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { insertCompletion, markCompletionConsumed } from '../../../src/db/completions.js';
import { openTestDatabase } from '../../support/postgres.js';
import { listDeliveries } from '../../../src/db/deliveries.js';
import { putDestination } from '../../../src/db/destinations.js';
import { insertExternalRequest } from '../../../src/db/external-requests.js';
import { upsertInstance } from '../../../src/db/instances.js';
import { claimJobs, getJob, insertJob } from '../../../src/db/jobs.js';
import { latestResultOfJob } from '../../../src/db/results.js';
import { saveRuleVersion } from '../../../src/db/rule-versions.js';
import { deidentifyPart10 } from '../../../src/deid/deidentify.js';
import { resolveProfile } from '../../../src/deid/profile.js';
import { KeyedPseudonymizer, parseDeidKey } from '../../../src/deid/pseudonyms.js';
import { scanPart10Bytes } from '../../../src/dicom/header-scan.js';
import { openMappings } from '../../../src/jobs/external-job.js';
import { reidentifyJob } from '../../../src/jobs/reidentify-job.js';
import * as returnedQc from '../../../src/jobs/returned-qc.js';
import { createRouter } from '../../../src/jobs/routing.js';
import type { JobContext } from '../../../src/jobs/run-model-job.js';
import type { Logger } from '../../../src/log/logger.js';
import type { ExternalAction } from '../../../src/route/index.js';
import { testdata } from '../../support/node-process.js';

// spied on this thread: the check must run in the worker, so this one is never called here
vi.mock('../../../src/jobs/returned-qc.js', async (original) => {
  const actual = await original<typeof import('../../../src/jobs/returned-qc.js')>();
  return { ...actual, checkReturnedSeg: vi.fn(actual.checkReturnedSeg) };
});

const key = crypto.randomBytes(32).toString('base64');
const pseudo = new KeyedPseudonymizer(parseDeidKey(key));
const ctFiles = ['01', '02', '03'].map((n) => path.join(testdata, `dcmqi-ct3/${n}.dcm`));
/** The SEG's 107 098 set bits (pydicom + numpy's unpackbits, not the node's reader) × 0.810547² × 1 mm. */
const LIVER_ML = (107_098 * 0.810547 ** 2 * 1) / 1000;
const quiet = { info() {}, warn() {}, error() {}, debug() {}, close: async () => {} } as Logger;

function store(db: ReturnType<typeof openTestDatabase>, dataDir: string, file: string, studyUid: string, ae: string) {
  const h = scanPart10Bytes(fs.readFileSync(file));
  upsertInstance(db, {
    sopInstanceUid: h.values.SOPInstanceUID!, sopClassUid: h.values.SOPClassUID!, studyUid,
    seriesUid: h.values.SeriesInstanceUID!, patientId: null, transferSyntaxUid: h.transferSyntaxUid,
    size: fs.statSync(file).size, path: path.relative(dataDir, file), callingAe: ae, calledAe: 'NODE',
    source: 'dimse', receivedAt: Date.now(),
  });
  return h.values;
}

/** A node that sent the CT out under a rule whose external action has `extra` (qc, onQcFail), and got the SEG back;
 *  the router has made the answer's reidentify job. */
function answeredUnder(extra: Partial<ExternalAction>) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reid-qc-'));
  const db = openTestDatabase(dataDir);
  const mapping: Array<[string, string]> = [];
  const deid = (f: string) => {
    const r = deidentifyPart10(fs.readFileSync(f), resolveProfile(), pseudo);
    mapping.push(...r.uids);
    return r;
  };
  const cts = ctFiles.map(deid);
  const seg = deid(path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm'));
  const mappings = openMappings(db, key);
  mappings.record('uid', mapping);
  mappings.recordStudy(cts[0]!.pseudoStudyUid, cts[0]!.restore);
  const studyUid = cts[0]!.studyUid;
  fs.mkdirSync(path.join(dataDir, 'in'));
  const ct = ctFiles.map((f, i) => {
    const copy = path.join(dataDir, 'in', `${i}.dcm`);
    fs.copyFileSync(f, copy);
    return store(db, dataDir, copy, studyUid, 'MODALITY');
  });
  const answer = path.join(dataDir, 'in', 'seg.dcm');
  fs.writeFileSync(answer, seg.bytes);
  store(db, dataDir, answer, cts[0]!.pseudoStudyUid, 'EXTERNAL_AI');
  putDestination(db, { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: 'PACS', host: '127.0.0.1', port: 104 });
  const action: ExternalAction = { type: 'external', service: 'ext-ai', series: { pick: 'all' }, destinations: ['pacs'],
    ...extra };
  const version = saveRuleVersion(db, [{ id: 'ext', name: 'External', enabled: true, priority: 1, then: 'stop',
    actions: [action] }], 'test', 'external with qc');
  insertCompletion(db, studyUid, 1, 'quiet-period', 3, Date.now());
  markCompletionConsumed(db, 1); // routed already: its external job sent the CT
  const sent = insertJob(db, { completionId: 1, studyUid, revision: 1, ruleId: 'ext', rulesVersion: version,
    action: 'external', seriesUid: ct[0]!.SeriesInstanceUID!, state: 'done' });
  insertExternalRequest(db, { jobId: sent, studyUid, pseudoStudyUid: cts[0]!.pseudoStudyUid, service: 'ext-ai',
    profile: {}, destinations: ['pacs'], deadline: Date.now() + 60_000, review: 'none' });
  insertCompletion(db, cts[0]!.pseudoStudyUid, 1, 'quiet-period', 1, Date.now());
  expect(createRouter(db, quiet)()).toBe(1);
  const ctx = { db, dataDir, deid: { key, profile: {}, resultTimeoutSeconds: 60 } } as unknown as JobContext;
  return { db, ctx };
}

async function runAnswer(extra: Partial<ExternalAction>) {
  const t = answeredUnder(extra);
  const [job] = claimJobs(t.db, 5, 60_000);
  expect(job?.action).toBe('reidentify');
  expect(await reidentifyJob(t.ctx, job!)).toBe(true);
  return { ...t, jobId: job!.id, result: latestResultOfJob(t.db, job!.id)! };
}

const liver = (checks: Record<string, unknown>): Partial<ExternalAction> =>
  ({ qc: { segments: [{ label: 'Liver', checks }] } });

describe('qc of a returned SEG', () => {
  it('passes a SEG within its limits, on the source grid in a worker, and releases it', async () => {
    const t = await runAnswer(liver({ volumeMl: { min: 60, max: 80 }, maxComponents: 4 }));
    expect(vi.mocked(returnedQc.checkReturnedSeg)).not.toHaveBeenCalled(); // it ran in the worker thread
    expect(t.result.qcState).toBe('passed');
    expect(t.result.state).toBe('accepted');
    expect(t.result.qcReasons).toEqual([]);
    const [summary] = t.result.segments;
    expect(summary).toMatchObject({ label: 'Liver', present: true, qc: 'passed' });
    expect(summary!.volumeMl).toBeCloseTo(LIVER_ML, 6);
    expect(listDeliveries(t.db).map((d) => d.destinationId)).toEqual(['pacs']);
    expect(getJob(t.db, t.jobId)?.stages.map((s) => s.stage)).toContain('qc');
  }, 60_000);

  it('holds for review a SEG above its volume limit (onQcFail review, the default)', async () => {
    const t = await runAnswer(liver({ volumeMl: { max: 50 } }));
    expect(t.result.qcState).toBe('failed');
    expect(t.result.state).toBe('awaiting-review');
    expect(t.result.qcReasons)
      .toEqual([expect.objectContaining({ segment: 'Liver', check: 'volumeMl.max', limit: 50 })]);
    expect(t.result.qcReasons[0]!.message).toBe('Liver: 70.4 ml, above the maximum of 50 ml');
    expect(t.result.qcReasons[0]!.value).toBeCloseTo(LIVER_ML, 6);
    expect(t.result.heldReason).toBe('QC_FAILED: Liver: 70.4 ml, above the maximum of 50 ml');
    expect(listDeliveries(t.db)).toEqual([]);
  }, 60_000);

  it('never sends a failing SEG when the action says discard', async () => {
    const t = await runAnswer({ ...liver({ volumeMl: { max: 50 } }), onQcFail: 'discard' });
    expect(getJob(t.db, t.jobId)?.policy.onQcFail).toBe('discard'); // the router took it from the action
    expect(t.result.state).toBe('withheld');
    expect(t.result.heldReason).toMatch(/^QC_FAILED: .*\(rule external-return: not sent\)$/);
    expect(listDeliveries(t.db)).toEqual([]);
  }, 60_000);

  it('fails a SEG that lacks a segment the qc names, saying which it has', async () => {
    const t = await runAnswer({ qc: { segments: [
      { label: 'Liver', checks: { volumeMl: { min: 1 } } },
      { label: 'Spleen', checks: { volumeMl: { max: 500 } } },
      { label: 'Kidney', checks: { mayBeAbsent: true, volumeMl: { min: 50 } } },
    ] } });
    expect(t.result.qcState).toBe('failed');
    expect(t.result.state).toBe('awaiting-review');
    expect(t.result.qcReasons.map((r) => [r.segment, r.check, r.message])).toEqual([
      ['Spleen', 'present', 'Spleen: the returned SEG has no segment labelled "Spleen" (it has "Liver")'],
    ]);
    expect(t.result.segments.map((s) => [s.label, s.present, s.qc]))
      .toEqual([['Liver', true, 'passed'], ['Spleen', false, 'failed'], ['Kidney', false, 'passed']]);
  }, 60_000);

  it('finds a segment by its property type code whatever its label, and checks one inside another', async () => {
    const t = await runAnswer({ qc: { segments: [
      { label: 'Leber', type: { scheme: 'SRT', value: 'T-62000' }, checks: { volumeMl: { min: 1 } } },
      { label: 'liver ', checks: { inside: { segment: 'Leber', maxFractionOutside: 0 } } },
    ] } });
    expect(t.result.qcReasons).toEqual([]);
    expect(t.result.qcState).toBe('passed');
    expect(t.result.segments.map((s) => [s.label, s.present])).toEqual([['Leber', true], ['liver ', true]]);
    expect(t.result.segments[0]!.volumeMl).toBe(t.result.segments[1]!.volumeMl);
  }, 60_000);

  it('keeps QC none without qc on the action', async () => {
    const t = await runAnswer({});
    expect(t.result.qcState).toBe('none');
    expect(t.result.state).toBe('accepted');
    expect(getJob(t.db, t.jobId)?.stages.map((s) => s.stage)).not.toContain('qc');
  }, 60_000);
});
