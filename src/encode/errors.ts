// Errors of the encode stage: a stable code an admin can look up, and a message saying what to fix.

export type EncodeErrorCode =
  | 'ENC_NO_SOURCES'          // no source slices given
  | 'ENC_SOURCE_HEADER'       // a source header lacks or has a malformed geometry/identity attribute
  | 'ENC_SOURCES_MIXED'       // sources span several series, frames of reference or matrix sizes
  | 'ENC_LABEL_DIMS'          // label volume does not match the source grid
  | 'ENC_SEGMENTS'            // segment descriptions are invalid (none, bad label values, bad codes)
  | 'ENC_UID_ROOT'            // uidRoot is not a valid UID prefix or leaves no room
  | 'ENC_INTENSITIES'         // intensity volume does not match the label grid
  | 'ENC_NOTHING_SEGMENTED'   // no segment has a voxel: no SEG can be built (the SR still reports the absences)
  | 'ENC_REJECTED_OBJECTS'    // a rejection note needs rejected objects of one study, each with its UIDs
  | 'ENC_REJECTION_REASON'    // a rejection note's quality reason is not a CID 7011 code, or came with safety
  | 'ENC_FINDINGS'            // a classification report without images, or with a score that is not finite
  | 'ENC_DETECTIONS'          // a detection box lies outside its image, has no finite score, or names no source image
  | 'SEG_READ_PARSE'          // bytes are not a readable DICOM Part-10 file
  | 'SEG_READ_NOT_SEG'        // not a Segmentation object
  | 'SEG_READ_UNSUPPORTED'    // a SEG this reader does not handle (FRACTIONAL, compressed, ...)
  | 'SEG_READ_MALFORMED'      // required SEG attributes missing or inconsistent
  | 'SEG_READ_NO_SOURCE';     // a frame matches no given source slice

export class EncodeError extends Error {
  readonly code: EncodeErrorCode;
  constructor(code: EncodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'EncodeError';
    this.code = code;
  }
}
