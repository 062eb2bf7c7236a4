// Detection SR on a synthetic DX image: judged by dciodvfy and pixelmed's TID 1500 validator, read back by pydicom
// (coordinates, referenced image, confidence, absent classes); per-slice boxes reference their slice; bad boxes
// refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { encodeDetectionReport } from '../../../src/encode/sr-detection.js';
import { EncodeError } from '../../../src/encode/errors.js';
import type { Detection, DetectionClass } from '../../../src/infer/detect/index.js';
import type { SourceSlice } from '../../../src/encode/types.js';
import { dciodvfy, job, pixelmedSr, syntheticSeries, tempDir, writeTemp } from './fixtures.js';

const metal = { scheme: 'SCT', value: '425620007', meaning: 'Metal' };
const foreignBody = { scheme: 'SCT', value: '19227008', meaning: 'Foreign body' };
const calcification = { scheme: 'SCT', value: '18115005', meaning: 'Pathologic calcification' };
const classes: DetectionClass[] = [{ code: metal, threshold: 0.5 }, { code: foreignBody }, { code: calcification }];
const algorithm = {
  name: 'TestMetalDetector', version: '0.3.0', modelId: 'test-metal',
  family: { scheme: 'DCM', value: '113015', meaning: 'Image processing' },
};
// dciodvfy: the Device UID in ContributingEquipmentSequence (IHE AIR asks for it) and the summary line it causes
const ACCEPTED_WARNINGS = [/\(0x0018,0x1002\) UI Device UID/, /Standard Extended SOP Class/];

/** A DX For Presentation header (no pixels needed by the SR): 2000 columns × 2500 rows, portrait. */
function dxSource(): SourceSlice {
  const sop = '2.25.31415926535897932384626433832795028';
  const dataset: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', SOPInstanceUID: sop,
    StudyInstanceUID: '2.25.271828182845904523536028747135266249',
    SeriesInstanceUID: '2.25.141421356237309504880168872420969807', Modality: 'DX',
    PatientName: [{ Alphabetic: 'Synthetic^Radiograph' }], PatientID: 'SYN-DX', PatientBirthDate: '', PatientSex: 'O',
    StudyDate: '20260102', StudyTime: '0930', AccessionNumber: 'ACC7', ReferringPhysicianName: [], StudyID: 'DX1',
    Rows: 2500, Columns: 2000, ImagerPixelSpacing: [0.139, 0.139],
  };
  return { sopInstanceUid: sop, sopClassUid: dataset.SOPClassUID as string, dataset };
}

const boxes: Detection[] = [
  { classIndex: 0, code: metal, score: 0.93, box: { x1: 100.5, y1: 200.25, x2: 180.75, y2: 260 } },
  { classIndex: 0, code: metal, score: 0.61, box: { x1: 1500, y1: 2100, x2: 1999.5, y2: 2500 } },
  { classIndex: 1, code: foreignBody, score: 0.4, box: { x1: 0, y1: 0, x2: 12, y2: 30 } },
];

interface Read { groups: Array<{ id: string; uid: string; finding: string; type: string; data: number[]; sop: string;
  frame: number | null; score: number; unit: string }>; absent: string[]; evidence: string[] }

/** pydicom, an independent reader: the measurement groups' SCOORDs and NUMs, the absent findings, the evidence. */
function readBack(file: string): Read {
  const script = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
def name(i): return i.ConceptNameCodeSequence[0].CodeMeaning if 'ConceptNameCodeSequence' in i else ''
out = {'groups': [], 'absent': [], 'evidence': []}
for top in ds.ContentSequence:
    if name(top) == 'Imaging Measurements':
        for g in top.ContentSequence:
            r = {}
            for i in g.ContentSequence:
                n = name(i)
                if n == 'Tracking Identifier': r['id'] = i.TextValue
                if n == 'Tracking Unique Identifier': r['uid'] = str(i.UID)
                if n == 'Finding': r['finding'] = i.ConceptCodeSequence[0].CodeValue
                if n == 'Image Region':
                    r['type'] = i.GraphicType; r['data'] = [float(v) for v in i.GraphicData]
                    ref = i.ContentSequence[0].ReferencedSOPSequence[0]
                    r['sop'] = str(ref.ReferencedSOPInstanceUID)
                    r['frame'] = int(ref.ReferencedFrameNumber) if 'ReferencedFrameNumber' in ref else None
                    assert i.ContentSequence[0].RelationshipType == 'SELECTED FROM'
                if n == 'Certainty of Finding':
                    mv = i.MeasuredValueSequence[0]
                    r['score'] = float(mv.NumericValue); r['unit'] = mv.MeasurementUnitsCodeSequence[0].CodeValue
            out['groups'].append(r)
    if name(top) == 'Qualitative Evaluations':
        for i in top.ContentSequence:
            assert i.ConceptCodeSequence[0].CodeValue == '2667000'
            out['absent'].append(i.ConceptNameCodeSequence[0].CodeValue)
for e in ds.CurrentRequestedProcedureEvidenceSequence:
    for s in e.ReferencedSeriesSequence:
        out['evidence'] += [str(r.ReferencedSOPInstanceUID) for r in s.ReferencedSOPSequence]
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}

const rectangle = ({ x1, y1, x2, y2 }: Detection['box']) => [x1, y1, x2, y1, x2, y2, x1, y2, x1, y1];

describe('detection SR on a DX image', () => {
  const dx = dxSource();
  let file: string;
  let emptyFile: string;
  beforeAll(() => {
    const dir = tempDir('detect');
    file = writeTemp(dir, 'sr.dcm',
      encodeDetectionReport({ sources: [dx], detections: boxes, classes, algorithm, job }).bytes);
    emptyFile = writeTemp(dir, 'empty.dcm',
      encodeDetectionReport({ sources: [dx], detections: [], classes, algorithm, job }).bytes);
  });

  it('passes dciodvfy with no errors and only the vetted warnings', () => {
    for (const f of [file, emptyFile]) {
      const { errors, warnings } = dciodvfy(f);
      expect(errors).toEqual([]);
      expect(warnings.filter((w) => !ACCEPTED_WARNINGS.some((a) => a.test(w)))).toEqual([]);
    }
  });

  it('passes pixelmed\'s TID 1500 validator with no errors', () => {
    for (const f of [file, emptyFile]) {
      const out = pixelmedSr([f]);
      expect(out).toContain('Found Root Template TID_1500');
      expect(out).toContain('Root Template Validation Complete');
      expect(out.split('\n').filter((l) => /^Error/.test(l))).toEqual([]);
    }
  }, 150_000);

  it('holds one group per box: closed rectangle on the DX image, tracking id and UID, finding, confidence', () => {
    const read = readBack(file);
    expect(read.groups.map((g) => [g.id, g.finding, g.type, g.sop, g.frame, g.unit])).toEqual([
      ['Metal 1', '425620007', 'POLYLINE', dx.sopInstanceUid, null, '1'],
      ['Metal 2', '425620007', 'POLYLINE', dx.sopInstanceUid, null, '1'],
      ['Foreign body 3', '19227008', 'POLYLINE', dx.sopInstanceUid, null, '1'],
    ]);
    read.groups.forEach((g, i) => {
      expect(g.data).toEqual(rectangle(boxes[i].box));   // every value here is exact in float32
      expect(g.data.slice(0, 2)).toEqual(g.data.slice(8));
      expect(g.score).toBeCloseTo(boxes[i].score, 6);
    });
    expect(new Set(read.groups.map((g) => g.uid)).size).toBe(3);
    expect(read.absent).toEqual(['18115005']);   // calcification had no box
    expect(read.evidence).toEqual([dx.sopInstanceUid]);
  });

  it('reports zero boxes as every class absent, with no measurement group', () => {
    const read = readBack(emptyFile);
    expect(read.groups).toEqual([]);
    expect(read.absent).toEqual(['425620007', '19227008', '18115005']);
  });
});

describe('per-slice boxes and bad input', () => {
  const ct = syntheticSeries('detect-slices', {
    cols: 64, rows: 48, slices: 3, iop: [1, 0, 0, 0, 1, 0], origin: [0, 0, 0], step: [0, 0, 2.5], spacing: [0.7, 0.7],
  });

  it('a box on slice 2 references slice 2', () => {
    const dir = tempDir('detect-slices');
    const d: Detection =
      { classIndex: 1, code: foreignBody, score: 0.8, box: { x1: 10, y1: 5, x2: 20, y2: 15 }, slice: 2 };
    const f = writeTemp(dir, 'sr.dcm',
      encodeDetectionReport({ sources: ct, detections: [d], classes, algorithm, job }).bytes);
    const read = readBack(f);
    expect(read.groups.map((g) => [g.sop, g.data])).toEqual([[ct[2].sopInstanceUid, rectangle(d.box)]]);
    expect(read.evidence).toEqual(ct.map((s) => s.sopInstanceUid));
    expect(dciodvfy(f).errors).toEqual([]);
  });

  const refused = (sources: SourceSlice[], d: Detection) => {
    try { encodeDetectionReport({ sources, detections: [d], classes, algorithm, job }); } catch (e) {
      return e instanceof EncodeError ? e.code : 'other';
    }
    return 'none';
  };

  it('refuses a box off its image, a slice with no source, a box without a slice on a series, a NaN score', () => {
    const ok = { classIndex: 0, code: metal, score: 0.9, box: { x1: 1, y1: 1, x2: 5, y2: 5 } };
    expect(refused([dxSource()], { ...ok, box: { x1: 1, y1: 1, x2: 2001, y2: 5 } })).toBe('ENC_DETECTIONS');
    expect(refused([dxSource()], { ...ok, box: { x1: 5, y1: 1, x2: 5, y2: 5 } })).toBe('ENC_DETECTIONS');
    expect(refused(ct, { ...ok, slice: 3 })).toBe('ENC_DETECTIONS');
    expect(refused(ct, ok)).toBe('ENC_DETECTIONS');
    expect(refused([dxSource()], { ...ok, score: Number.NaN })).toBe('ENC_DETECTIONS');
    expect(refused([], ok)).toBe('ENC_NO_SOURCES');
    expect(refused([dxSource()], ok)).toBe('none');
  });
});
