// Chained models on a real SQLite database: a rule with a Finding condition makes its job only once an earlier
// result of the study holds that finding, when the stored findings make the router route the study again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../../src/db/database.js';
import { openTestDatabase } from '../../support/postgres.js';
import { insertCompletion } from '../../../src/db/completions.js';
import { listJobs } from '../../../src/db/jobs.js';
import { insertResult, transitionResult } from '../../../src/db/results.js';
import { findingsOfResult, findingsOfStudy, insertFindings } from '../../../src/db/findings.js';
import { saveRuleVersion } from '../../../src/db/rule-versions.js';
import { insertStudy, upsertSeries } from '../../../src/db/studies.js';
import { upsertInstance } from '../../../src/db/instances.js';
import { readHeader } from '../../../src/assemble/study-facts.js';
import { createRouter } from '../../../src/jobs/routing.js';
import type { Logger } from '../../../src/log/logger.js';
import type { ResultFinding, Rule } from '../../../src/route/index.js';

const file = path.resolve(import.meta.dirname, '../../../../shared/testdata/real/dcmqi-ct3/01.dcm');
const header = readHeader(fs.readFileSync(file));
const studyUid = String(header.StudyInstanceUID);
const seriesUid = String(header.SeriesInstanceUID);
const contrast = { scheme: 'SCT', value: '385420005', meaning: 'Contrast media' };
const events: Array<{ event: string; fields?: Record<string, unknown> }> = [];
const log = { info: (event: string, fields?: Record<string, unknown>) => events.push({ event, fields }), warn() {},
  error: (event: string, fields?: Record<string, unknown>) => events.push({ event, fields }), debug() {},
  close: async () => {} } as unknown as Logger;

const rules: Rule[] = [
  { id: 'classify', name: 'classifier', enabled: true, priority: 1, then: 'continue',
    actions: [{ type: 'runModel', model: 'ct-contrast', series: { pick: 'all' }, outputs: ['SR'],
      destinations: ['reply-to-sender'] }] },
  { id: 'segment-if-contrast', name: 'segmenter where contrast', enabled: true, priority: 2, then: 'continue',
    when: { Finding: { model: 'ct-contrast', code: { scheme: 'SCT', value: '385420005' },
      present: true, minScore: 0.7 } },
    actions: [{ type: 'runModel', model: 'ct-body-lung', series: { pick: 'all' }, outputs: ['SEG', 'SR'],
      destinations: ['reply-to-sender'] }] },
];

let db: Db;
let route: () => number;

beforeEach(() => {
  db = openTestDatabase(fs.mkdtempSync(path.join(os.tmpdir(), 'chained-')));
  insertStudy(db, { studyUid, patientId: null, patientName: null, studyDate: null, studyDescription: null,
    accessionNumber: null, expectedInstances: null, receivedAt: 1, sources: ['dimse'], callingAes: ['CT'] });
  upsertSeries(db, { seriesUid, studyUid, modality: 'CT', seriesNumber: null, seriesDescription: null, bodyPart: null,
    expectedInstances: null, receivedAt: 1 });
  upsertInstance(db, { sopInstanceUid: String(header.SOPInstanceUID), sopClassUid: String(header.SOPClassUID), studyUid,
    seriesUid, patientId: null, transferSyntaxUid: '1.2.840.10008.1.2.1', size: 1, path: file, callingAe: 'CT',
    calledAe: 'NODE', source: 'dimse', receivedAt: 1 });
  saveRuleVersion(db, rules, 'test', 'chained');
  insertCompletion(db, studyUid, 1, 'quiet-period', 1, 2);
  route = createRouter(db, log);
  events.length = 0;
});

const jobs = () => listJobs(db, { studyUid, limit: 10 }).map((j) => [j.ruleId, j.modelId]).reverse();

/** The classifier job finishes with one result holding `finding`. */
function classifierResult(finding: ResultFinding): number {
  const job = listJobs(db, { studyUid, limit: 10 }).find((j) => j.ruleId === 'classify')!;
  const id = insertResult(db, { jobId: job.id, revision: 1, state: 'accepted', qcState: 'none', qcReasons: [],
    segments: [], modelVersion: '1', heldReason: null });
  insertFindings(db, id, [finding]);
  return id;
}

describe('a chained second model', () => {
  it('first routing runs only the classifier: no result has the finding yet', () => {
    expect(route()).toBe(1);
    expect(jobs()).toEqual([['classify', 'ct-contrast']]);
  });

  it('runs once the classifier\'s result has the finding present with score ≥ 0.7, and only once', () => {
    route();
    const resultId = classifierResult({ model: 'ct-contrast', code: contrast, present: true, score: 0.83 });
    expect(findingsOfResult(db, resultId)).toEqual(
      [{ model: 'ct-contrast', code: contrast, present: true, score: 0.83 }]);
    expect(route()).toBe(1);
    expect(jobs()).toEqual([['classify', 'ct-contrast'], ['segment-if-contrast', 'ct-body-lung']]);
    expect(events.some((e) => e.event === 'route.study.rerouted' && e.fields?.jobs === 1)).toBe(true);
    expect(route()).toBe(0);   // the request was served: nothing is made twice
    expect(jobs().length).toBe(2);
  });

  it('does not run when the finding is below minScore, absent, or its result was rejected', () => {
    route();
    classifierResult({ model: 'ct-contrast', code: contrast, present: true, score: 0.65 });
    route();
    expect(jobs()).toEqual([['classify', 'ct-contrast']]);

    const job = listJobs(db, { studyUid, limit: 10 }).find((j) => j.ruleId === 'classify')!;
    const absent = insertResult(db, { jobId: job.id, revision: 2, state: 'accepted', qcState: 'none', qcReasons: [],
      segments: [], modelVersion: '1', heldReason: null });
    insertFindings(db, absent, [{ model: 'ct-contrast', code: contrast, present: false, score: 0.1 }]);
    route();
    expect(jobs()).toEqual([['classify', 'ct-contrast']]);
    // only the latest revision counts: revision 1's 0.65 is no longer a fact
    expect(findingsOfStudy(db, studyUid).map((f) => [f.resultId, f.present])).toEqual([[absent, false]]);

    const present = insertResult(db, { jobId: job.id, revision: 3, state: 'awaiting-review', qcState: 'none',
      qcReasons: [], segments: [], modelVersion: '1', heldReason: null });
    transitionResult(db, present, ['awaiting-review'], 'rejected',
      { actor: 'reviewer', action: 'reject', reason: 'wrong', review: true });
    insertFindings(db, present, [{ model: 'ct-contrast', code: contrast, present: true, score: 0.95 }]);
    route();
    expect(jobs()).toEqual([['classify', 'ct-contrast']]);
  });

});

describe('findings and retention', () => {
  it('a study\'s findings go with its results', async () => {
    const { deleteResultObjectsOfStudy } = await import('../../../src/db/results.js');
    route();
    classifierResult({ model: 'ct-contrast', code: contrast, present: true, score: 0.9, slices: [0, 2] });
    expect(findingsOfStudy(db, studyUid).map((f) => [f.slices, f.seriesInstanceUid])).toEqual([[[0, 2], seriesUid]]);
    deleteResultObjectsOfStudy(db, studyUid);   // would fail on the foreign key if the findings stayed
    expect(findingsOfStudy(db, studyUid)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM result_findings').get()).toEqual({ n: 0 });
  });
});
