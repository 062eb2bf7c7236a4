// Result states on a real SQLite database: the first state a job's policy gives, the decisions' transitions with
// their history, the outbox moving a result to delivered with its last delivery, and revisions.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/database.js';
import { openTestDatabase } from '../../support/postgres.js';
import { claimDeliveries, listDeliveries, markDelivered } from '../../../src/db/deliveries.js';
import { putDestination } from '../../../src/db/destinations.js';
import { insertJob, type ReviewPolicy } from '../../../src/db/jobs.js';
import {
  destinationsThatReceived, getResult, insertResultObjects, nextRevision, resultHistory, settleResultOfDelivery,
  transitionResult,
} from '../../../src/db/results.js';
import { acceptResult, rejectResult, releaseWaitingResult } from '../../../src/review/decisions.js';
import { recordNewResult } from '../../../src/review/new-result.js';
import type { QcResult } from '../../../src/qc/index.js';

let db: Db;
const passed: QcResult = { state: 'passed', reasons: [], measurements: [] };
const failed: QcResult = {
  state: 'failed', measurements: [],
  reasons: [{ segment: 'Lung', check: 'volumeMl.min', value: 2, limit: 300,
    message: 'Lung: 2 ml, below the minimum of 300 ml' }],
};

/** A done job of the rule with `policy` sending to `destinations`, its SEG and SR stored, and its new result. */
function finishedJob(policy: ReviewPolicy, qc: QcResult, destinations = ['pacs']) {
  const jobId = insertJob(db, {
    completionId: 1, studyUid: '1.2.3', revision: 1, ruleId: 'r', rulesVersion: 1, action: 'runModel', modelId: 'm',
    seriesUid: '1.2.3.4', destinations, state: 'done', policy,
  });
  const revision = nextRevision(db, jobId);
  insertResultObjects(db, jobId, ['SEG', 'SR'].map((kind) => ({
    kind: kind as 'SEG' | 'SR', sopClassUid: '1.2', sopInstanceUid: `9.${jobId}.${revision}.${kind === 'SEG' ? 1 : 2}`,
    seriesInstanceUid: '9.9', transferSyntaxUid: '1.2.840.10008.1.2.1', path: `/tmp/${jobId}-${kind}.dcm`, size: 1,
  })), revision);
  const job = { id: jobId, ruleId: 'r', modelId: 'm', studyUid: '1.2.3', destinations, policy };
  return recordNewResult(db, job, { revision, modelVersion: '1', qc, labels: ['Body', 'Lung'],
    encoded: [{ number: 1, label: 'Body', voxelCount: 10, volumeMl: 5 }] });
}

const policy = (review: 'none' | 'required', onQcFail: 'review' | 'discard' = 'review'): ReviewPolicy =>
  ({ review, onQcFail });

beforeEach(() => {
  db = openTestDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'results-')));
  db.prepare(`INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at) VALUES ('1.2.3', 1, 'quiet-period', 3, 0)`).run();
  putDestination(db, { id: 'pacs', name: 'PACS', type: 'dicomweb', url: 'http://127.0.0.1:1/dicom-web' });
});

describe('the first state of a result', () => {
  it('is accepted with one delivery per object × destination when no review is needed and QC passed', () => {
    const { id, state } = finishedJob(policy('none'), passed);
    expect(state).toBe('accepted');
    expect(listDeliveries(db, { resultId: id }).map((d) => d.destinationId)).toEqual(['pacs', 'pacs']);
    expect(getResult(db, id)).toMatchObject({ reviewedBy: null, heldReason: null, qcState: 'passed' });
    expect(getResult(db, id)!.segments).toEqual([
      { label: 'Body', present: true, volumeMl: 5, qc: 'none' },
      { label: 'Lung', present: false, volumeMl: null, qc: 'none' },
    ]);
  });
  it('is awaiting-review without deliveries when the rule requires review, or QC failed and the rule says review', () => {
    const required = finishedJob(policy('required'), passed);
    const qc = finishedJob(policy('none'), failed);
    expect([required.state, qc.state]).toEqual(['awaiting-review', 'awaiting-review']);
    expect(getResult(db, required.id)!.heldReason).toBe('review required by rule r');
    expect(getResult(db, qc.id)!.heldReason).toBe('QC_FAILED: Lung: 2 ml, below the minimum of 300 ml');
    expect(getResult(db, qc.id)!.segments.find((s) => s.label === 'Lung')!.qc).toBe('failed');
    expect(listDeliveries(db, {})).toEqual([]);
  });
  it('is withheld when QC failed and the rule says discard, even with review required', () => {
    expect(finishedJob(policy('required', 'discard'), failed).state).toBe('withheld');
    expect(listDeliveries(db, {})).toEqual([]);
  });
  it('is awaiting-destination with the reason when a destination does not exist', () => {
    const { id, state } = finishedJob(policy('none'), passed, ['gone']);
    expect(state).toBe('awaiting-destination');
    expect(getResult(db, id)!.heldReason).toMatch(/^DESTINATION_NOT_FOUND: the rule sends to destination "gone"/);
  });
});

describe('decisions and the outbox', () => {
  it('accept: awaiting-review → accepted with deliveries, by the reviewer; a second accept is RESULT_STATE', () => {
    const { id } = finishedJob(policy('required'), passed);
    const decided = acceptResult(db, id, 'reviewer');
    expect(decided).toMatchObject({ ok: true, result: { state: 'accepted', reviewedBy: 'reviewer' } });
    expect(listDeliveries(db, { resultId: id })).toHaveLength(2);
    expect(acceptResult(db, id, 'reviewer')).toMatchObject({ ok: false, status: 409, code: 'RESULT_STATE' });
    expect(rejectResult(db, id, 'reviewer', 'late')).toMatchObject({ ok: false, code: 'RESULT_STATE' });
  });
  it('reject needs a reason and leaves nothing queued', () => {
    const { id } = finishedJob(policy('required'), passed);
    expect(rejectResult(db, id, 'reviewer', '')).toMatchObject(
      { ok: false, status: 400, code: 'RESULT_REASON_REQUIRED' });
    expect(rejectResult(db, id, 'reviewer', 'wrong organ')).toMatchObject(
      { ok: true, result: { state: 'rejected', decisionReason: 'wrong organ' } });
    expect(listDeliveries(db, {})).toEqual([]);
    expect(resultHistory(db, id).map((e) => [e.action, e.from, e.to, e.reason])).toEqual([
      ['created', null, 'awaiting-review', 'review required by rule r'],
      ['reject', 'awaiting-review', 'rejected', 'wrong organ'],
    ]);
  });
  it('release: 422 RESULT_NO_DESTINATION while the destination is missing, accepted once it exists', () => {
    const { id } = finishedJob(policy('none'), passed, ['later']);
    expect(releaseWaitingResult(db, id, 'admin')).toMatchObject(
      { ok: false, status: 422, code: 'RESULT_NO_DESTINATION' });
    expect(getResult(db, id)!.state).toBe('awaiting-destination');
    putDestination(db, { id: 'later', name: 'Later', type: 'dicomweb', url: 'http://127.0.0.1:1/dicom-web' });
    expect(releaseWaitingResult(db, id, 'admin')).toMatchObject({ ok: true, result: { state: 'accepted' } });
    expect(listDeliveries(db, { resultId: id }).map((d) => d.destinationId)).toEqual(['later', 'later']);
  });
  it('moves an accepted result to delivered with its last delivery, and knows where it went', () => {
    const { id } = finishedJob(policy('none'), passed);
    const [first, second] = claimDeliveries(db, 'pacs', 10, Date.now() + 60_000);
    expect(markDelivered(db, first)).toBe(true);
    expect(settleResultOfDelivery(db, first.id)).toBeUndefined();
    expect(getResult(db, id)!.state).toBe('accepted');
    expect(markDelivered(db, second)).toBe(true);
    expect(settleResultOfDelivery(db, second.id)).toBe(id);
    expect(getResult(db, id)!.state).toBe('delivered');
    expect(destinationsThatReceived(db, id)).toEqual(['pacs']);
    expect(transitionResult(db, id, ['awaiting-review'], 'rejected', { actor: 'x', action: 'reject' })).toBe(false);
  });
  it('counts revisions per job: a crash retry before the result is written keeps the revision', () => {
    const { id } = finishedJob(policy('none'), passed);
    const jobId = getResult(db, id)!.jobId;
    expect(nextRevision(db, jobId)).toBe(2);
    expect(nextRevision(db, jobId + 100)).toBe(1);
  });
});
