// The reidentify job on a real database: a service's answer (its SEG, a KOS and an SC it made, and one object that
// references a UID nobody sent) is re-identified in the deid worker, byte for byte as the in-process function does;
// the SEG, KOS and SC become one result that the review gate holds until a reviewer accepts it, then all three are
// queued for the action's destinations; the unknown one is quarantined.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { insertCompletion } from '../../../src/db/completions.js';
import { openTestDatabase } from '../../support/postgres.js';
import { listDeliveries } from '../../../src/db/deliveries.js';
import { putDestination } from '../../../src/db/destinations.js';
import { externalRequestOfReturnJob, insertExternalRequest, setReturnJob } from '../../../src/db/external-requests.js';
import { upsertInstance } from '../../../src/db/instances.js';
import { claimJobs, getJob, insertJob } from '../../../src/db/jobs.js';
import { latestResultOfJob, objectsOfResult } from '../../../src/db/results.js';
import { deidentifyPart10 } from '../../../src/deid/deidentify.js';
import * as inWorker from '../../../src/deid/in-worker.js';
import { resolveProfile } from '../../../src/deid/profile.js';
import { KeyedPseudonymizer, parseDeidKey } from '../../../src/deid/pseudonyms.js';
import { reidentifyPart10 } from '../../../src/deid/reidentify.js';
import { scanPart10Bytes } from '../../../src/dicom/header-scan.js';
import { openMappings } from '../../../src/jobs/external-job.js';
import { reidentifyJob } from '../../../src/jobs/reidentify-job.js';
import type { JobContext } from '../../../src/jobs/run-model-job.js';
import { acceptResult } from '../../../src/review/decisions.js';
import { testdata } from '../../support/node-process.js';

vi.mock('../../../src/deid/in-worker.js', async (original) => {
  const actual = await original<typeof import('../../../src/deid/in-worker.js')>();
  return { ...actual, reidentifyFilesInWorker: vi.fn(actual.reidentifyFilesInWorker) };
});

const key = crypto.randomBytes(32).toString('base64');
const pseudo = new KeyedPseudonymizer(parseDeidKey(key));
const ctFiles = ['01', '02', '03'].map((n) => path.join(testdata, `dcmqi-ct3/${n}.dcm`));

/** A KOS and an SC as a service would make them in the pseudonymous study (pydicom writes them). */
function serviceObjects(dir: string, ct: { study: string; series: string; sop: string; patient: string }): string[] {
  const py = `import pydicom,sys,json
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid
a=json.loads(sys.argv[1]); out=sys.argv[2]
sc=pydicom.dcmread(sys.argv[3])
sc.StudyInstanceUID=a['study']; sc.SeriesInstanceUID=generate_uid('2.25.'); sc.SOPInstanceUID=generate_uid('2.25.')
sc.file_meta.MediaStorageSOPInstanceUID=sc.SOPInstanceUID; sc.PatientID=a['patient']; sc.BurnedInAnnotation='NO'
sc.save_as(out+'/sc.dcm', write_like_original=False)
k=Dataset(); k.file_meta=Dataset(); k.file_meta.TransferSyntaxUID='1.2.840.10008.1.2.1'
k.SOPClassUID='1.2.840.10008.5.1.4.1.1.88.59'; k.SOPInstanceUID=generate_uid('2.25.'); k.Modality='KO'
k.file_meta.MediaStorageSOPClassUID=k.SOPClassUID; k.file_meta.MediaStorageSOPInstanceUID=k.SOPInstanceUID
k.StudyInstanceUID=a['study']; k.SeriesInstanceUID=generate_uid('2.25.'); k.PatientID=a['patient']
sop=Dataset(); sop.ReferencedSOPClassUID='1.2.840.10008.5.1.4.1.1.2'; sop.ReferencedSOPInstanceUID=a['sop']
ser=Dataset(); ser.SeriesInstanceUID=a['series']; ser.ReferencedSOPSequence=[sop]
ev=Dataset(); ev.StudyInstanceUID=a['study']; ev.ReferencedSeriesSequence=[ser]
k.CurrentRequestedProcedureEvidenceSequence=[ev]
k.is_little_endian=True; k.is_implicit_VR=False
k.save_as(out+'/kos.dcm', write_like_original=False)`;
  execFileSync('/usr/bin/python3', ['-c', py, JSON.stringify(ct), dir, path.join(testdata, 'pydicom/SC_rgb_rle.dcm')]);
  return [path.join(dir, 'sc.dcm'), path.join(dir, 'kos.dcm')];
}

/** A node database that sent the CT out (mapping, request) and received the answer as a study of its own. */
function sentAndAnswered(review: 'none' | 'required') {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reid-job-'));
  const db = openTestDatabase(dataDir);
  const mapping = new Map<string, string>();
  const deid = (f: string) => {
    const r = deidentifyPart10(fs.readFileSync(f), resolveProfile(), pseudo);
    for (const [o, p] of r.uids) mapping.set(p, o);
    return r;
  };
  const cts = ctFiles.map(deid);
  const seg = deid(path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm'));
  const mappings = openMappings(db, key);
  mappings.record('uid', [...mapping].map(([p, o]) => [o, p]));
  mappings.recordStudy(cts[0]!.pseudoStudyUid, cts[0]!.restore);
  const answer = path.join(dataDir, 'answer');
  fs.mkdirSync(answer);
  fs.writeFileSync(path.join(answer, 'seg.dcm'), seg.bytes);
  const ct0 = scanPart10Bytes(cts[0]!.bytes).values;
  const made = serviceObjects(answer, { study: cts[0]!.pseudoStudyUid, series: ct0.SeriesInstanceUID!,
    sop: ct0.SOPInstanceUID!, patient: cts[0]!.patient.pseudonym.id });
  // the SEG again under a new SOP Instance UID, now referencing a series nobody sent
  fs.writeFileSync(path.join(answer, 'bogus.dcm'), seg.bytes);
  execFileSync('dcmodify', ['-nb', '-m', '(0008,1115)[0].(0020,000E)=2.25.1234567890123456789', '-m',
    '(0008,0018)=2.25.998877665544332211', path.join(answer, 'bogus.dcm')]);
  for (const file of [path.join(answer, 'seg.dcm'), ...made, path.join(answer, 'bogus.dcm')]) {
    const h = scanPart10Bytes(fs.readFileSync(file));
    upsertInstance(db, {
      sopInstanceUid: h.values.SOPInstanceUID!, sopClassUid: h.values.SOPClassUID!, studyUid: cts[0]!.pseudoStudyUid,
      seriesUid: h.values.SeriesInstanceUID!, patientId: null, transferSyntaxUid: h.transferSyntaxUid,
      size: fs.statSync(file).size, path: path.relative(dataDir, file), callingAe: 'EXTERNAL_AI', calledAe: 'NODE',
      source: 'dimse', receivedAt: Date.now(),
    });
  }
  putDestination(db, { id: 'pacs', name: 'PACS', type: 'dimse', aeTitle: 'PACS', host: '127.0.0.1', port: 104 });
  const studyUid = cts[0]!.studyUid;
  insertCompletion(db, studyUid, 1, 'quiet-period', 3, Date.now());
  insertCompletion(db, cts[0]!.pseudoStudyUid, 1, 'quiet-period', 4, Date.now());
  const sent = insertJob(db,
    { completionId: 1, studyUid, revision: 1, ruleId: 'r', rulesVersion: 1, action: 'external', state: 'done' });
  const requestId = insertExternalRequest(db, {
    jobId: sent, studyUid, pseudoStudyUid: cts[0]!.pseudoStudyUid, service: 'ext-ai', profile: {},
    destinations: ['pacs'], deadline: Date.now() + 60_000, review,
  });
  const back = insertJob(db, {
    completionId: 2, studyUid, revision: 1, ruleId: 'external-return', rulesVersion: 0, action: 'reidentify',
    destinations: ['pacs'], policy: { review, onQcFail: 'review' } });
  setReturnJob(db, requestId, back);
  const ctx = { db, dataDir, deid: { key, profile: {}, resultTimeoutSeconds: 60 } } as unknown as JobContext;
  return { db, dataDir, ctx, mapping, answer, studyUid, restore: cts[0]!.restore, jobId: back };
}

describe('the reidentify job', () => {
  it('re-identifies in the worker, holds SEG, KOS and SC for review, and queues all three once accepted', async () => {
    const t = sentAndAnswered('required');
    const [job] = claimJobs(t.db, 5, 60_000);
    expect(job?.id).toBe(t.jobId);
    expect(await reidentifyJob(t.ctx, job!)).toBe(true);
    expect(vi.mocked(inWorker.reidentifyFilesInWorker)).toHaveBeenCalledTimes(1);
    expect(getJob(t.db, t.jobId)?.state).toBe('done');

    const result = latestResultOfJob(t.db, t.jobId)!;
    expect(result.state).toBe('awaiting-review');
    const objects = objectsOfResult(t.db, t.jobId, result.revision);
    expect(objects.map((o) => o.kind)).toEqual(['SEG', 'RETURNED', 'RETURNED']);
    // byte-correct: what the worker wrote is what the in-process re-identification makes of the same file
    for (const [name, o] of [['seg.dcm', objects[0]!], ['sc.dcm', objects.find((x) => x.sopClassUid.endsWith('.7'))!],
      ['kos.dcm', objects.find((x) => x.sopClassUid.endsWith('.88.59'))!]] as const) {
      const input = fs.readFileSync(path.join(t.answer, name));
      const own = scanPart10Bytes(input).values;
      const created = new Set([own.SOPInstanceUID!, own.SeriesInstanceUID!]);
      const expected = reidentifyPart10(input, (p) => t.mapping.get(p), created, t.restore);
      expect(expected.unknown).toEqual([]);
      expect(fs.readFileSync(o.path).equals(expected.bytes), name).toBe(true);
      expect(scanPart10Bytes(expected.bytes).values.StudyInstanceUID).toBe(t.studyUid);
    }
    const kos = fs.readFileSync(objects.find((x) => x.sopClassUid.endsWith('.88.59'))!.path);
    const originalCt = scanPart10Bytes(fs.readFileSync(ctFiles[0]!)).values.SOPInstanceUID!;
    expect(kos.includes(originalCt)).toBe(true); // the KOS references the original CT slice
    const request = externalRequestOfReturnJob(t.db, t.jobId)!;
    expect(request.quarantined.map((q) => [q.sopInstanceUid, q.code]))
      .toEqual([['2.25.998877665544332211', 'REID_UNKNOWN_UID']]);
    expect(request.returned).toBe(3);

    expect(listDeliveries(t.db)).toEqual([]); // held: nothing queued before the review
    expect(acceptResult(t.db, result.id, 'reviewer').ok).toBe(true);
    const queued = listDeliveries(t.db);
    expect(queued.map((d) => d.destinationId)).toEqual(['pacs', 'pacs', 'pacs']);
    expect(queued.map((d) => d.sopInstanceUid).sort()).toEqual(objects.map((o) => o.sopInstanceUid).sort());
    expect(queued.every((d) => d.resultId === result.id)).toBe(true);
  }, 60_000);

  it('releases the returned objects at once when the action needs no review', async () => {
    const t = sentAndAnswered('none');
    const [job] = claimJobs(t.db, 5, 60_000);
    expect(await reidentifyJob(t.ctx, job!)).toBe(true);
    const result = latestResultOfJob(t.db, t.jobId)!;
    expect(result.state).toBe('accepted');
    expect(listDeliveries(t.db).length).toBe(3);
  }, 60_000);
});
