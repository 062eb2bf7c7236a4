// The encode stage's public surface: label volume + source headers → SEG and TID 1500 SR bytes, and a SEG reader.
export { encodeSegmentation, nothingSegmented } from './seg.js';
export { encodeMeasurementReport } from './sr.js';
export {
  encodeClassificationReport, type ClassificationReportRequest, type ClassifiedImage, type ImageFinding
} from './sr-classification.js';
export { readSegmentation } from './seg-reader.js';
export { encodeRejectionNote, type RejectionNoteRequest, type RejectionNoteResult } from './rejection-note.js';
export {
  deriveResultUid, deriveModelDeviceUid, deriveNodeDeviceUid, deriveRejectionNoteUid, checkUidRoot
} from './uids.js';
export { EncodeError, type EncodeErrorCode } from './errors.js';

export type * from './types.js';
