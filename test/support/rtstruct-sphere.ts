// Test data for the RTSTRUCT measure path: a synthetic CT, a ball drawn on it as an RT Structure Set (one closed
// planar polygon per slice it crosses) and as a BINARY SEG of the voxels whose centres lie inside the same ball, so the
// two describe one shape by two independent routes (polygon rasterising vs the analytic test).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writePart10, type NaturalDataset } from '../../src/encode/dicom-io.js';
import { encodeSegmentation } from '../../src/encode/seg.js';
import type { Code, SegmentDescription } from '../../src/encode/types.js';
import { loadSeriesVolume, type LoadedSeries } from '../../src/infer/volume/index.js';
import { writeSyntheticCtSeries } from '../../src/synthetic/index.js';
import { SOP } from '../../src/dicom/uids.js';

export const GRID = { cols: 48, rows: 48, slices: 20, px: 0.8, dz: 1.5 };
/** the ball: centre in mm (patient coordinates, origin at the first voxel) and radius */
export const BALL = { centre: [19.2, 18.4, 14.25] as const, radiusMm: 9 };
const LIVER: Code = { scheme: 'SCT', value: '10200004', meaning: 'Liver' };

export interface SphereStudy {
  dir: string; ctFiles: string[]; loaded: LoadedSeries; studyUid: string;
  /** one ROI "Ball" (coded Liver) and one uncoded ROI "Ring" on a single slice */
  rtstruct: string; rtstructUid: string;
  /** the same ball as a SEG segment "Ball" */
  seg: string; segUid: string;
}

/** Textured HU (so texture features are not degenerate), written as CT files; the RTSTRUCT and SEG beside them. */
export async function writeSphereStudy(opts: { offPlane?: boolean } = {}): Promise<SphereStudy> {
  const { cols, rows, slices, px, dz } = GRID;
  const hu = Int16Array.from({ length: cols * rows * slices }, (_, v) => ((v * 7919) % 300) - 100 + (v % cols) * 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtstruct-sphere-'));
  const written = await writeSyntheticCtSeries(path.join(dir, 'ct'), {
    phantom: { hu, bodyMask: new Uint8Array(hu.length), lungMask: new Uint8Array(hu.length),
      dims: [cols, rows, slices] },
    pixelSpacing: px, sliceSpacing: dz, origin: [0, 0, 0], patientName: 'Sphere^Test', patientId: 'SPHERE-1',
  });
  const loaded = await loadSeriesVolume(written.files, { minSlices: 1 });
  const rtstructUid = `2.25.${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`;
  const rois = [
    { number: 3, name: 'Ball', code: LIVER, contours: ballContours(opts.offPlane ? dz / 2 : 0) },
    { number: 5, name: 'Ring', contours: [circle(BALL.centre[0], BALL.centre[1], 6 * dz, 4, 48)] },
  ];
  const rtstruct = path.join(dir, 'rtstruct.dcm');
  fs.writeFileSync(rtstruct, rtStructBytes(loaded, rtstructUid, rois));
  const description: SegmentDescription = { labelValues: [1], label: 'Ball',
    colorRgb: [200, 100, 50], measurements: ['volume'],
    category: { scheme: 'SCT', value: '123037004', meaning: 'Anatomical Structure' }, type: LIVER };
  const labels = new Uint8Array(cols * rows * slices);
  for (let k = 0; k < slices; k++) for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) {
    const d = [i * px - BALL.centre[0], j * px - BALL.centre[1], k * dz - BALL.centre[2]];
    if (d[0]! ** 2 + d[1]! ** 2 + d[2]! ** 2 <= BALL.radiusMm ** 2) labels[i + cols * (j + rows * k)] = 1;
  }
  const segResult = encodeSegmentation(loaded.slices, { dims: [cols, rows, slices], data: labels }, [description],
    { name: 'hand drawn', version: '1', modelId: 'ball',
      family: { scheme: 'DCM', value: '113076', meaning: 'Segmentation' } },
    { jobId: `ball-${rtstructUid}`, uidRoot: '2.25' });
  const seg = path.join(dir, 'seg.dcm');
  fs.writeFileSync(seg, segResult.bytes);
  return { dir, ctFiles: written.files, loaded, studyUid: written.studyInstanceUid, rtstruct, rtstructUid, seg,
    segUid: segResult.sopInstanceUid };
}

/** A 64-gon on the ball's circle of every slice plane the ball crosses (dzOffset moves them off the planes). */
function ballContours(dzOffset: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < GRID.slices; k++) {
    const h = k * GRID.dz - BALL.centre[2];
    if (Math.abs(h) >= BALL.radiusMm) continue;
    out.push(circle(BALL.centre[0], BALL.centre[1], k * GRID.dz + dzOffset, Math.sqrt(BALL.radiusMm ** 2 - h * h), 64));
  }
  return out;
}

function circle(cx: number, cy: number, z: number, r: number, n: number): number[] {
  return Array.from({ length: n },
    (_, a) => [cx + r * Math.cos((2 * Math.PI * a) / n), cy + r * Math.sin((2 * Math.PI * a) / n), z])
    .flat().map((v) => Number(v.toFixed(4)));
}

interface Roi { number: number; name: string; code?: Code; contours: number[][] }

/** An RT Structure Set IOD (PS3.3 A.19) on the loaded CT: patient and study from its first slice. */
function rtStructBytes(ct: LoadedSeries, uid: string, rois: Roi[]): Uint8Array {
  const first = ct.slices[0]!.dataset;
  const frameOfReference = String(first.FrameOfReferenceUID);
  const images = ct.slices.map((s) =>
    ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid }));
  const copy = (keys: string[]): NaturalDataset => Object.fromEntries(keys.map((k) => [k, first[k] ?? '']));
  return writePart10({
    SpecificCharacterSet: 'ISO_IR 100', SOPClassUID: SOP.rtStructureSetStorage, SOPInstanceUID: uid,
    ...copy(['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'StudyInstanceUID', 'StudyDate', 'StudyTime',
      'ReferringPhysicianName', 'StudyID', 'AccessionNumber']),
    Modality: 'RTSTRUCT', SeriesInstanceUID: `${uid}.1`, SeriesNumber: 50, SeriesDescription: 'Contours (test)',
    OperatorsName: '', Manufacturer: 'dicom-ai-node tests',
    FrameOfReferenceUID: frameOfReference, PositionReferenceIndicator: '',
    StructureSetLabel: 'Ball', StructureSetDate: '20240101', StructureSetTime: '120000', InstanceNumber: 1,
    ReferencedFrameOfReferenceSequence: [{ FrameOfReferenceUID: frameOfReference, RTReferencedStudySequence: [{
      ReferencedSOPClassUID: '1.2.840.10008.3.1.2.3.1', ReferencedSOPInstanceUID: first.StudyInstanceUID,
      RTReferencedSeriesSequence: [{ SeriesInstanceUID: ct.seriesInstanceUid, ContourImageSequence: images }] }] }],
    StructureSetROISequence: rois.map((r) => ({ ROINumber: r.number, ReferencedFrameOfReferenceUID: frameOfReference,
      ROIName: r.name, ROIGenerationAlgorithm: 'MANUAL' })),
    ROIContourSequence: rois.map((r) => ({ ReferencedROINumber: r.number, ROIDisplayColor: [255, 0, 0],
      ContourSequence: r.contours.map((c) =>
        ({ ContourGeometricType: 'CLOSED_PLANAR', NumberOfContourPoints: c.length / 3, ContourData: c })) })),
    RTROIObservationsSequence: rois.map((r, n) => ({ ObservationNumber: n + 1, ReferencedROINumber: r.number,
      RTROIInterpretedType: 'ORGAN', ROIInterpreter: '',
      ...(r.code ? { RTROIIdentificationCodeSequence: [{ CodeValue: r.code.value, CodingSchemeDesignator: r.code.scheme,
        CodeMeaning: r.code.meaning }] } : {}) })),
  });
}
