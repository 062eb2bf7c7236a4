// Coded errors of detection post-processing: a model output that does not fit its manifest's detection options.

export type DetectErrorCode =
  | 'DETECT_OUTPUT_SHAPE'     // the output tensor's dims do not fit the layout and the number of classes
  | 'DETECT_CLASS_INDEX'      // an xyxy-score-class row names a class the manifest does not list
  | 'DETECT_BATCH';           // a batched output's size differs from the number of slices it was run on

export class DetectError extends Error {
  constructor(readonly code: DetectErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'DetectError';
  }
}
