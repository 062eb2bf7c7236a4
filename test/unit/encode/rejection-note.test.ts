// IOCM Rejection Note (KOS) for a delivered SEG + SR of the real 3-slice CT: read back with dcmjs and DCMTK,
// judged by dciodvfy, and stored into a real Orthanc beside the objects it rejects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import { encodeMeasurementReport } from '../../../src/encode/sr.js';
import { readPart10, type NaturalDataset } from '../../../src/encode/dicom-io.js';
import { encodeRejectionNote, type RejectionNoteRequest } from '../../../src/encode/rejection-note.js';
import type { MeasurementReportResult, SegmentationResult } from '../../../src/encode/types.js';
import { startOrthanc, type RunningOrthanc } from '../../support/orthanc.js';
import { SOP } from '../../../src/dicom/uids.js';
import {
  algorithm, bodyLungLiver, dciodvfy, job, loadSeries, realData, run, tempDir, writeTemp, type LoadedSeries,
} from './fixtures.js';

// Same accepted warnings as for our SR (see ct-seg-sr.test.ts): the source's PN form, copied as it is.
const ACCEPTED_WARNINGS = [/Retired Person Name form/];

let series: LoadedSeries;
let seg: SegmentationResult;
let sr: MeasurementReportResult;
let segHeader: NaturalDataset;
let srHeader: NaturalDataset;
let dir: string;

function request(overrides: Partial<RejectionNoteRequest> = {}): RejectionNoteRequest {
  return { rejected: [segHeader, srHeader], resultId: 'result-42', retraction: 1, uidRoot: job.uidRoot, ...overrides };
}

function readBack(bytes: Uint8Array): NaturalDataset { return readPart10(bytes).dataset; }
function codeOf(item: unknown): string {
  const c = (item as NaturalDataset[])[0];
  return `${String(c.CodeValue)}|${String(c.CodingSchemeDesignator)}|${String(c.CodeMeaning)}`;
}
function references(ds: NaturalDataset): Array<[string, string, string]> {
  return (ds.ContentSequence as NaturalDataset[])
    .filter((i) => i.ValueType === 'IMAGE' || i.ValueType === 'COMPOSITE').map((i) => {
      const ref = (i.ReferencedSOPSequence as NaturalDataset[])[0];
      return [String(i.ValueType), String(ref.ReferencedSOPClassUID), String(ref.ReferencedSOPInstanceUID)];
    });
}

beforeAll(() => {
  series = loadSeries(path.join(realData, 'dcmqi-ct3'));
  const labels = series.hu.map((v) => (v > -200 ? 1 : v > -900 && v < -400 ? 2 : 0));
  seg = encodeSegmentation(series.sources, { dims: [series.cols, series.rows, 3], data: new Uint8Array(labels) },
    bodyLungLiver, algorithm, job);
  sr = encodeMeasurementReport(series.sources, seg, bodyLungLiver, algorithm, job, series.hu);
  segHeader = readBack(seg.bytes);
  delete segHeader.PixelData;
  srHeader = readBack(sr.bytes);
  dir = tempDir('kos');
});

describe('encodeRejectionNote', () => {
  it('is a KOS titled 113001 Rejected for Quality Reasons, or 113037 when safety is true', () => {
    const quality = readBack(encodeRejectionNote(request()).bytes);
    const safety = readBack(encodeRejectionNote(request({ safety: true, retraction: 2 })).bytes);
    for (const ds of [quality, safety]) {
      expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.88.59');
      expect(ds.Modality).toBe('KO');
      expect(ds.ValueType).toBe('CONTAINER');
      expect((ds.ContentTemplateSequence as NaturalDataset[])[0].TemplateIdentifier).toBe('2010');
    }
    expect(codeOf(quality.ConceptNameCodeSequence)).toBe('113001|DCM|Rejected for Quality Reasons');
    expect(codeOf(safety.ConceptNameCodeSequence)).toBe('113037|DCM|Rejected for Patient Safety Reasons');
    expect(SOP.keyObjectSelectionDocumentStorage).toBe(quality.SOPClassUID);
  });

  it('references the SEG (IMAGE) and the SR (COMPOSITE) in its content and in the evidence, in their study', () => {
    const ds = readBack(encodeRejectionNote(request()).bytes);
    expect(references(ds)).toEqual([
      ['IMAGE', '1.2.840.10008.5.1.4.1.1.66.4', seg.sopInstanceUid],
      ['COMPOSITE', '1.2.840.10008.5.1.4.1.1.88.22', sr.sopInstanceUid],
    ]);
    const evidence = ds.CurrentRequestedProcedureEvidenceSequence as NaturalDataset[];
    expect(evidence).toHaveLength(1);
    expect(evidence[0].StudyInstanceUID).toBe(series.sources[0].dataset.StudyInstanceUID);
    const bySeries = (evidence[0].ReferencedSeriesSequence as NaturalDataset[]).map((s) => [s.SeriesInstanceUID,
      (s.ReferencedSOPSequence as NaturalDataset[]).map((r) => [r.ReferencedSOPClassUID, r.ReferencedSOPInstanceUID]),
    ]);
    expect(bySeries).toEqual([
      [seg.seriesInstanceUid, [['1.2.840.10008.5.1.4.1.1.66.4', seg.sopInstanceUid]]],
      [sr.seriesInstanceUid, [['1.2.840.10008.5.1.4.1.1.88.22', sr.sopInstanceUid]]],
    ]);
    expect(ds.StudyInstanceUID).toBe(series.sources[0].dataset.StudyInstanceUID);
    expect(ds.PatientID).toBe(series.sources[0].dataset.PatientID);
    expect(ds.PatientName).toEqual(series.sources[0].dataset.PatientName);
    expect([seg.seriesInstanceUid, sr.seriesInstanceUid, series.sources[0].dataset.SeriesInstanceUID])
      .not.toContain(ds.SeriesInstanceUID);
  });

  it('has the same UIDs for a retried retraction and new ones for another retraction or result', () => {
    const first = encodeRejectionNote(request());
    const again = encodeRejectionNote(request({ now: new Date('2030-01-01T00:00:00Z') }));
    expect(again.sopInstanceUid).toBe(first.sopInstanceUid);
    expect(again.seriesInstanceUid).toBe(first.seriesInstanceUid);
    expect(encodeRejectionNote(request({ retraction: 2 })).sopInstanceUid).not.toBe(first.sopInstanceUid);
    expect(encodeRejectionNote(request({ resultId: 'result-43' })).sopInstanceUid).not.toBe(first.sopInstanceUid);
    expect(first.sopInstanceUid.startsWith(`${job.uidRoot}.`)).toBe(true);
    expect(first.sopInstanceUid.length).toBeLessThanOrEqual(64);
    expect(readBack(first.bytes).SOPInstanceUID).toBe(first.sopInstanceUid);
  });

  it('writes the reason as Key Object Description and a CID 7011 reason as Document Title Modifier', () => {
    const ds = readBack(encodeRejectionNote(request({ reason: '  Lung covers bowel gas  ',
      qualityReason: { scheme: 'DCM', value: '111219', meaning: 'whatever the caller wrote' },
    })).bytes);
    const items = ds.ContentSequence as NaturalDataset[];
    const description = items.find((i) => codeOf(i.ConceptNameCodeSequence).startsWith('113012|DCM'));
    expect(description?.ValueType).toBe('TEXT');
    expect(description?.TextValue).toBe('Lung covers bowel gas');
    const modifier = items.find((i) => codeOf(i.ConceptNameCodeSequence).startsWith('113011|DCM'));
    expect(modifier?.RelationshipType).toBe('HAS CONCEPT MOD');
    expect(codeOf(modifier?.ConceptCodeSequence)).toBe('111219|DCM|Inappropriate image processing');
    const plain = readBack(encodeRejectionNote(request()).bytes).ContentSequence as NaturalDataset[];
    const concepts = plain.filter((i) => i.ConceptNameCodeSequence).map((i) => codeOf(i.ConceptNameCodeSequence).split('|')[0]);
    expect(concepts).toContain('121005');
    expect(concepts.filter((c) => c === '113011' || c === '113012')).toEqual([]);
  });

  it('refuses no objects, objects of two studies, a repeated or incomplete object, and a reason outside CID 7011', () => {
    const otherStudy = { ...srHeader, StudyInstanceUID: '1.2.3.999', SOPInstanceUID: '1.2.3.999.1' };
    const cases: Array<[Partial<RejectionNoteRequest>, string]> = [
      [{ rejected: [] }, 'ENC_REJECTED_OBJECTS'], [{ rejected: [segHeader, otherStudy] }, 'ENC_REJECTED_OBJECTS'],
      [{ rejected: [segHeader, segHeader] }, 'ENC_REJECTED_OBJECTS'],
      [{ rejected: [{ ...srHeader, SOPInstanceUID: undefined }] }, 'ENC_REJECTED_OBJECTS'],
      [{ qualityReason: { scheme: 'DCM', value: '113001', meaning: 'x' } }, 'ENC_REJECTION_REASON'],
      [{ safety: true, qualityReason: { scheme: 'DCM', value: '111218', meaning: 'Software failure' } }, 'ENC_REJECTION_REASON'],
      [{ uidRoot: '1.02.3' }, 'ENC_UID_ROOT'],
    ];
    for (const [overrides, codeName] of cases) {
      expect(() => encodeRejectionNote(request(overrides)), JSON.stringify(Object.keys(overrides)))
        .toThrow(expect.objectContaining({ code: codeName }));
    }
  });
});

describe('validators and DCMTK on the rejection note', () => {
  it('passes dciodvfy with no errors, quality and safety, with reason and modifier', () => {
    const variants = [request(), request({ safety: true, reason: 'wrong patient' }),
      request({ reason: 'bowel gas labelled lung', qualityReason: { scheme: 'DCM', value: '111218', meaning: 'Software failure' } })];
    variants.forEach((r, n) => {
      const file = writeTemp(dir, `kos-${n}.dcm`, encodeRejectionNote(r).bytes);
      const { errors, warnings } = dciodvfy(file);
      expect(errors, errors.join('\n')).toEqual([]);
      expect(warnings.filter((w) => !ACCEPTED_WARNINGS.some((a) => a.test(w))), warnings.join('\n')).toEqual([]);
    });
  });

  it('passes pixelmed\'s TID 2010 check, quality and safety', () => {
    // Without a Document Title Modifier: pixelmed (2022) reads TID 2010 row 3 (CID 7011) as not allowed under a
    // 113001 title and reports an error when one is present, so the node writes a modifier only when asked to.
    const files = [request(), request({ safety: true, retraction: 2, reason: 'wrong patient' })]
      .map((r, n) => writeTemp(dir, `kos-pixelmed-${n}.dcm`, encodeRejectionNote(r).bytes));
    const out = files.map((file) => run('java', ['-Djdk.xml.xpathExprOpLimit=0', '-Djdk.xml.xpathExprGrpLimit=0',
      '-Djdk.xml.xpathTotalOpLimit=0', '-cp', '/usr/share/java/pixelmed.jar',
      'com.pixelmed.validate.DicomSRValidator', file]).out).join('\n');
    expect(out.match(/Found Root Template TID_2010/g)).toHaveLength(2);
    expect(out.split('\n').filter((l) => /^Error/.test(l)), out).toEqual([]);
  }, 240_000);   // two JVM runs: 10 s each on an idle machine, near a minute when the 2 cores are shared

  it('reads as a Key Object Selection Document in dsrdump, with both references', () => {
    const file = writeTemp(dir, 'kos-dsrdump.dcm', encodeRejectionNote(request({ reason: 'QC failed' })).bytes);
    const { code, out } = run('dsrdump', ['+Pu', file]);
    expect(code, out).toBe(0);
    expect(out).toMatch(/Key Object Selection Document/);
    expect(out).toMatch(/Rejected for Quality Reasons/);
    expect(out).toContain(seg.sopInstanceUid);
    expect(out).toContain(sr.sopInstanceUid);
    expect(out).toContain('QC failed');
  });
});

describe('a real PACS (Orthanc) and the rejection note', () => {
  let orthanc: RunningOrthanc;
  beforeAll(async () => { orthanc = await startOrthanc(); }, 60_000);
  afterAll(async () => { await orthanc?.stop(); });

  it('stores the note in the study of the SEG and SR it rejects', async () => {
    const note = encodeRejectionNote(request());
    const stored: Array<{ ID: string; ParentStudy: string }> = [];
    for (const bytes of [seg.bytes, sr.bytes, note.bytes]) {
      const res = await fetch(orthanc.url('/instances'), { method: 'POST', body: Buffer.from(bytes) });
      expect(res.status).toBe(200);
      stored.push(await res.json());
    }
    expect(new Set(stored.map((s) => s.ParentStudy)).size).toBe(1);
    const tags = await orthanc.get(`/instances/${stored[2].ID}/simplified-tags`);
    expect(tags.SOPClassUID).toBe(SOP.keyObjectSelectionDocumentStorage);
    expect(tags.SOPInstanceUID).toBe(note.sopInstanceUid);
    expect(tags.ConceptNameCodeSequence[0].CodeValue).toBe('113001');
    const refs = tags.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence
      .flatMap((s: { ReferencedSOPSequence: Array<{ ReferencedSOPInstanceUID: string }> }) =>
        s.ReferencedSOPSequence.map((r) => r.ReferencedSOPInstanceUID));
    expect(refs.sort()).toEqual([seg.sopInstanceUid, sr.sopInstanceUid].sort());
    const study = await orthanc.get(`/studies/${stored[0].ParentStudy}`);
    expect(study.Series).toHaveLength(3);
  });
});
