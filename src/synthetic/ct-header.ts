// The CT Image Storage header of one synthetic slice: every module dciodvfy checks for a CT image, nothing more.
import { randomBytes } from 'node:crypto';
import type { Dataset } from '../infer/volume/dcm.js';
import { SOP } from '../dicom/uids.js';

export interface SeriesIdentity {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyDate: string;
  studyTime: string;
}

export interface SliceFacts {
  sopInstanceUid: string;
  instanceNumber: number;
  rows: number;
  columns: number;
  /** DICOM order: [between rows, between columns] */
  pixelSpacing: [number, number];
  sliceThickness: number;
  orientation: number[];
  position: number[];
  gantryTiltDegrees: number;
  lossless: boolean;
}

/** A random UID under the 2.25 (UUID-derived) root, as PS3.5 B.2 allows without a registered root. */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString(10)}`;
}

/** Stored value = HU + 1024 in signed 16 bits, RescaleIntercept −1024, slope 1 (as many scanners write it). */
export function ctSliceDataset(series: SeriesIdentity, slice: SliceFacts): Dataset {
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPClassUID: SOP.ctImageStorage,
    SOPInstanceUID: slice.sopInstanceUid,
    StudyDate: series.studyDate,
    SeriesDate: series.studyDate,
    ContentDate: series.studyDate,
    StudyTime: series.studyTime,
    SeriesTime: series.studyTime,
    ContentTime: series.studyTime,
    AccessionNumber: '',
    Modality: 'CT',
    Manufacturer: 'dicom-ai-node synthetic phantom',
    ReferringPhysicianName: '',
    StudyDescription: 'Synthetic chest CT phantom',
    SeriesDescription: 'Synthetic phantom',
    PatientName: series.patientName,
    PatientID: series.patientId,
    PatientBirthDate: series.patientBirthDate,
    PatientSex: series.patientSex,
    BodyPartExamined: 'CHEST',
    SliceThickness: slice.sliceThickness,
    KVP: 120,
    GantryDetectorTilt: slice.gantryTiltDegrees,
    PatientPosition: 'HFS',
    StudyInstanceUID: series.studyInstanceUid,
    SeriesInstanceUID: series.seriesInstanceUid,
    StudyID: '1',
    SeriesNumber: 1,
    AcquisitionNumber: 1,
    InstanceNumber: slice.instanceNumber,
    ImagePositionPatient: slice.position,
    ImageOrientationPatient: slice.orientation,
    FrameOfReferenceUID: series.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: slice.rows,
    Columns: slice.columns,
    PixelSpacing: slice.pixelSpacing,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    WindowCenter: 40,
    WindowWidth: 400,
    RescaleIntercept: -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
    ...(slice.lossless ? { LossyImageCompression: '00' } : {}),
  };
}

export function dicomDateTime(now: Date): { date: string; time: string } {
  const iso = now.toISOString();
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}
