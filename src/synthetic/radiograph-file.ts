// Writes a synthetic radiograph as a real DX (For Presentation or For Processing) or CR Part 10 file: MONOCHROME1 or
// MONOCHROME2, 12 or 16 bits stored, Imager Pixel Spacing (and a calibrated Pixel Spacing when asked), header window.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SOP } from '../dicom/uids.js';
import type { Dataset } from '../infer/volume/dcm.js';
import { dicomDateTime, newUid } from './ct-header.js';
import { part10Bytes, prepareEncoder, TransferSyntax } from './part10.js';
import { renderRadiographPattern, type RadiographPattern, type RadiographPatternOptions } from './radiograph.js';

export interface SyntheticRadiographOptions extends RadiographPatternOptions {
  /** DX For Presentation (default), DX For Processing, or CR */
  kind?: 'DX' | 'DX-processing' | 'CR';
  photometric?: 'MONOCHROME1' | 'MONOCHROME2';
  bitsStored?: 12 | 16;
  /** mm at the detector (Imager Pixel Spacing), default 0.15 */
  imagerPixelSpacing?: number;
  /** mm at the patient (Pixel Spacing, calibrated by geometry); absent: only Imager Pixel Spacing is written */
  pixelSpacing?: number;
  /** false: no window in the header (a For Processing image need not have one) */
  window?: boolean;
  /** false: the window without VOI LUT Function (0028,1056), whose default is LINEAR anyway; OHIF 3.13's image
   *  loader reads that string's first letter as the function and renders nothing (cornerstone3D issue 2844) */
  voiLutFunction?: boolean;
  /** stored value → modality value (RescaleSlope/Intercept); default 1 and 0 */
  rescale?: { slope: number; intercept: number };
  transferSyntaxUid?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  patientId?: string;
  patientName?: string;
  instanceNumber?: number;
}

export interface SyntheticRadiograph {
  file: string; sopInstanceUid: string; sopClassUid: string; studyInstanceUid: string; seriesInstanceUid: string;
  /** the density pattern and the object boxes (ground truth in source pixels) */
  pattern: RadiographPattern;
  /** stored value of density 1 (MONOCHROME2) or density 0 (MONOCHROME1) */
  maxStored: number;
  /** the stored pixel values as written */
  stored: Uint16Array;
}

const SOP_CLASS = {
  DX: SOP.digitalXRayImageStorageForPresentation, 'DX-processing': SOP.digitalXRayImageStorageForProcessing,
  CR: SOP.computedRadiographyImageStorage,
} as const;

/** Renders the pattern and writes it to `file`; the returned boxes are where the metal objects are in its pixels. */
export async function writeSyntheticRadiograph(file: string,
  opts: SyntheticRadiographOptions = {}): Promise<SyntheticRadiograph> {
  const pattern = renderRadiographPattern(opts);
  const bits = opts.bitsStored ?? 12;
  const maxStored = 2 ** bits - 1;
  const inverted = (opts.photometric ?? 'MONOCHROME2') === 'MONOCHROME1';
  const stored = new Uint16Array(pattern.density.length);
  for (let p = 0; p < stored.length; p++) {
    const value = Math.round(pattern.density[p]! * maxStored);
    stored[p] = inverted ? maxStored - value : value;
  }
  const ts = opts.transferSyntaxUid ?? TransferSyntax.explicitLittle;
  await prepareEncoder(ts);
  const dataset = radiographDataset(pattern, opts, bits);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, part10Bytes(dataset, ts, new Int16Array(stored.buffer)));
  return {
    file, sopInstanceUid: String(dataset.SOPInstanceUID), sopClassUid: String(dataset.SOPClassUID),
    studyInstanceUid: String(dataset.StudyInstanceUID), seriesInstanceUid: String(dataset.SeriesInstanceUID),
    pattern, maxStored, stored,
  };
}

const code = (value: string, meaning: string) =>
  ({ CodeValue: value, CodingSchemeDesignator: 'SCT', CodeMeaning: meaning });

/** The modules dciodvfy checks for DX (PS3.3 A.26) and CR (A.2) images, with the facts the options give. */
function radiographDataset(pattern: RadiographPattern, opts: SyntheticRadiographOptions, bits: number): Dataset {
  const kind = opts.kind ?? 'DX';
  const photometric = opts.photometric ?? 'MONOCHROME2';
  const { date, time } = dicomDateTime(new Date());
  const frontal = pattern.view === 'frontal';
  const imager = opts.imagerPixelSpacing ?? 0.15;
  const max = 2 ** bits - 1;
  const isDx = kind !== 'CR';
  const forPresentation = kind === 'DX';
  const wantsWindow = opts.window ?? forPresentation;
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: [forPresentation || !isDx ? 'DERIVED' : 'ORIGINAL', 'PRIMARY'],
    SOPClassUID: SOP_CLASS[kind], SOPInstanceUID: newUid(),
    StudyDate: date, SeriesDate: date, ContentDate: date, AcquisitionDate: date,
    StudyTime: time, SeriesTime: time, ContentTime: time, AcquisitionTime: time,
    AccessionNumber: '', Modality: isDx ? 'DX' : 'CR', Manufacturer: 'dicom-ai-node synthetic phantom',
    ReferringPhysicianName: '',
    StudyDescription: 'Synthetic chest radiograph', SeriesDescription: `Synthetic ${pattern.view} chest`,
    PatientName: opts.patientName ?? 'Synthetic^Radiograph', PatientID: opts.patientId ?? 'SYN-XR-1',
    PatientBirthDate: '', PatientSex: 'O',
    BodyPartExamined: 'CHEST', ViewPosition: frontal ? 'PA' : 'LL',
    StudyInstanceUID: opts.studyInstanceUid ?? newUid(), SeriesInstanceUID: opts.seriesInstanceUid ?? newUid(),
    StudyID: '1', SeriesNumber: 1, AcquisitionNumber: 1, InstanceNumber: opts.instanceNumber ?? 1,
    PatientOrientation: frontal ? ['L', 'F'] : ['A', 'F'],
    ...(isDx ? {
      PresentationIntentType: forPresentation ? 'FOR PRESENTATION' : 'FOR PROCESSING',
      ImageLaterality: 'U', AnatomicRegionSequence: [code('51185008', 'Thorax')],
      ViewCodeSequence: [{ ...(frontal ? code('272479007', 'postero-anterior') : code('399173006', 'left lateral')),
        ViewModifierCodeSequence: [] }],
      AcquisitionContextSequence: [],
      PixelIntensityRelationship: 'LOG', PixelIntensityRelationshipSign: photometric === 'MONOCHROME1' ? 1 : -1,
      PresentationLUTShape: photometric === 'MONOCHROME1' ? 'INVERSE' : 'IDENTITY',
      DetectorType: 'DIRECT', DetectorConfiguration: 'AREA', DetectorID: 'SYN', DetectorManufacturerName: 'synthetic',
      DetectorManufacturerModelName: 'synthetic', PositionerType: 'NONE', KVP: 120, DistanceSourceToDetector: 1800,
    } : {}),
    RescaleIntercept: opts.rescale?.intercept ?? 0, RescaleSlope: opts.rescale?.slope ?? 1, RescaleType: 'US',
    LossyImageCompression: '00', BurnedInAnnotation: 'NO',
    ImagerPixelSpacing: [imager, imager],
    ...(opts.pixelSpacing ? { PixelSpacing: [opts.pixelSpacing, opts.pixelSpacing],
      PixelSpacingCalibrationType: 'GEOMETRY',
      PixelSpacingCalibrationDescription: 'synthetic: imager pixel spacing over the magnification' } : {}),
    ...(opts.pixelSpacing
      ? { EstimatedRadiographicMagnificationFactor: Number((imager / opts.pixelSpacing).toFixed(6)) } : {}),
    SamplesPerPixel: 1, PhotometricInterpretation: photometric, Rows: pattern.rows, Columns: pattern.columns,
    BitsAllocated: 16, BitsStored: bits, HighBit: bits - 1, PixelRepresentation: 0,
    ...(wantsWindow ? { WindowCenter: (max + 1) / 2, WindowWidth: max + 1 } : {}),
    ...(wantsWindow && opts.voiLutFunction !== false ? { VOILUTFunction: 'LINEAR' } : {}),
  };
}
