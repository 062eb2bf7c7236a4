// Every DICOM UID the node names (PS3.6 Annex A): transfer syntaxes, SOP classes, contexts. No other file spells one.

/** Transfer syntaxes (PS3.5 §10, PS3.6 Table A-1). */
export const TS = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLosslessNh: '1.2.840.10008.1.2.4.57',
  jpegLosslessSv1: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  htj2kLossless: '1.2.840.10008.1.2.4.201',
  htj2kLosslessRpcl: '1.2.840.10008.1.2.4.202',
  htj2k: '1.2.840.10008.1.2.4.203',
  rle: '1.2.840.10008.1.2.5',
} as const;

/** Transfer syntaxes whose pixel data are not encapsulated. */
export const NATIVE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  TS.implicitLittle, TS.explicitLittle, TS.explicitBig, TS.deflatedExplicitLittle,
]);

/** SOP classes (PS3.4 Annex B.5 and others) the node reads, writes or treats specially. */
export const SOP = {
  verification: '1.2.840.10008.1.1',
  ctImageStorage: '1.2.840.10008.5.1.4.1.1.2',
  computedRadiographyImageStorage: '1.2.840.10008.5.1.4.1.1.1',
  digitalXRayImageStorageForPresentation: '1.2.840.10008.5.1.4.1.1.1.1',
  digitalXRayImageStorageForProcessing: '1.2.840.10008.5.1.4.1.1.1.1.1',
  segmentationStorage: '1.2.840.10008.5.1.4.1.1.66.4',
  enhancedSrStorage: '1.2.840.10008.5.1.4.1.1.88.22',
  keyObjectSelectionDocumentStorage: '1.2.840.10008.5.1.4.1.1.88.59',
  rtDoseStorage: '1.2.840.10008.5.1.4.1.1.481.2',
  rtStructureSetStorage: '1.2.840.10008.5.1.4.1.1.481.3',
} as const;

/** Storage SOP classes outside the storage root (PS3.4 B.5). */
export const OTHER_STORAGE_CLASSES: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.34.7', // RT Beams Delivery Instruction
  '1.2.840.10008.5.1.4.34.10', // RT Brachy Application Setup Delivery Instruction
  '1.2.840.10008.5.1.4.38.1', // Hanging Protocol
  '1.2.840.10008.5.1.4.39.1', // Color Palette
  '1.2.840.10008.5.1.4.43.1', // Generic Implant Template
  '1.2.840.10008.5.1.4.44.1', // Implant Assembly Template
  '1.2.840.10008.5.1.4.45.1', // Implant Template Group
]);

/** The root of the standard's UIDs, and of its image, SR, SEG and RT storage classes. */
export const DICOM_UID_ROOT = '1.2.840.10008.';
export const STORAGE_SOP_CLASS_ROOT = '1.2.840.10008.5.1.4.1.1.';

/** The DICOM application context name (PS3.7 A.2.1). */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** Coding schemes with a registered UID (PS3.16 Table 8-1). */
export const CODING_SCHEME_UID = { IBSI: '1.2.840.10008.2.16.13' } as const;

/** Secondary Capture and Ultrasound storage classes (PS3.4 B.5), where text is commonly burned into the pixels. */
export const SC_AND_US_STORAGE_CLASSES: ReadonlySet<string> = new Set([
  '1.2.840.10008.5.1.4.1.1.7', // Secondary Capture
  '1.2.840.10008.5.1.4.1.1.7.1', '1.2.840.10008.5.1.4.1.1.7.2', // Multi-frame SC: Single Bit, Grayscale Byte
  '1.2.840.10008.5.1.4.1.1.7.3', '1.2.840.10008.5.1.4.1.1.7.4', // Multi-frame SC: Grayscale Word, True Color
  '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.3.1', // Ultrasound, Ultrasound Multi-frame
  '1.2.840.10008.5.1.4.1.1.6.2', // Enhanced US Volume
]);
