// The encode stage's public surface: label volume + source headers → SEG and TID 1500 SR bytes, and a SEG reader.
export { encodeSegmentation, nothingSegmented, SEGMENTATION_STORAGE } from './seg.js';
export { encodeMeasurementReport, ENHANCED_SR_STORAGE } from './sr.js';
export { readSegmentation } from './seg-reader.js';
export { encodeRejectionNote, KEY_OBJECT_SELECTION_DOCUMENT_STORAGE, type RejectionNoteRequest, type RejectionNoteResult } from './rejection-note.js';
export { deriveResultUid, deriveModelDeviceUid, deriveNodeDeviceUid, deriveRejectionNoteUid, checkUidRoot } from './uids.js';
export { EncodeError, type EncodeErrorCode } from './errors.js';
export { EXPLICIT_VR_LITTLE_ENDIAN } from './dicom-io.js';
export type * from './types.js';
