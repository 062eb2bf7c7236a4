// Errors of the review building blocks (previews, rejection notes from files): a stable code an admin can look up.

export type ReviewErrorCode =
  | 'PREVIEW_INPUT'           // volume, labels, dims, spacing or segments do not fit together
  | 'REJECTION_NOTE_READ'     // a rejected object's file is missing or not readable DICOM
  | 'REVIEW_WORKER_FAILED';   // a preview or rejection-note worker died, or met an error without a code (a bug)

export class ReviewError extends Error {
  /** a ReviewErrorCode, or the code of the refusal it passes on (volume loader, SEG reader, encoder: READ_FAILED, …) */
  readonly code: string;
  constructor(code: ReviewErrorCode | (string & {}), message: string) {
    super(`${code}: ${message}`);
    this.name = 'ReviewError';
    this.code = code;
  }
}
