// Errors of the review previews: a stable code an admin can look up, and a message saying what is wrong.

export type PreviewErrorCode =
  | 'PREVIEW_INPUT'           // volume, labels, dims, spacing or segments do not fit together
  | 'PREVIEW_WORKER_FAILED';  // the rendering worker died or met an error without a code (a bug)

export class PreviewError extends Error {
  /** a PreviewErrorCode, or the code of the volume loader / SEG reader refusal it passes on (e.g. READ_FAILED) */
  readonly code: string;
  constructor(code: PreviewErrorCode | (string & {}), message: string) {
    super(`${code}: ${message}`);
    this.name = 'PreviewError';
    this.code = code;
  }
}
