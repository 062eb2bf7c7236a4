// Codes the runner writes into jobs.reason (besides the VolumeError/InferenceError/EncodeError codes of the stages).
export type JobErrorCode =
  | 'JOB_LEASE_EXPIRED'       // the node stopped during the job maxAttempts times
  | 'NO_REPLY_DESTINATION'    // reply-to-sender, but no dimse destination has the sender's AE title
  | 'DESTINATION_NOT_FOUND'   // a rule names a destination id that does not exist
  | 'JOB_NO_INSTANCES'        // the job's series or study has no stored instances any more (retention?)
  | 'JOB_RESULT_WRITE'        // a result file could not be written (disk full, permissions)
  | 'ENC_WORKER_FAILED'       // the encoding worker died or met an unexpected error (a bug)
  | 'MEASURE_NOT_SEG'         // a measure job's series holds neither a SEG nor an RT Structure Set
  | 'MEASURE_SEG_FRACTIONAL'  // a FRACTIONAL SEG: only BINARY segments can be measured
  | 'MEASURE_SOURCE_MISSING'  // a SEG's frames / an RTSTRUCT's contours reference images not stored
  | 'MEASURE_WORKER_FAILED'   // the measure worker died or met an unexpected error (a bug)
  | 'MEASURE_CONTOUR_OFF_PLANE' // an RTSTRUCT contour lies on no slice plane of its referenced series
  | 'EXTERNAL_SERVICE_INVALID'  // the external action's service is not a destination marked external (or the rule
                                // changed)
  | 'EXTERNAL_TIMEOUT'          // the external service sent no result within the action's timeout
  | 'EXTERNAL_QC_WORKER_FAILED'; // the worker checking a returned SEG died or met an unexpected error (a bug)

export class JobError extends Error {
  constructor(readonly code: JobErrorCode, reason: string) {
    super(`${code}: ${reason}`);
    this.name = 'JobError';
  }
}

/** "CODE: message" for jobs.reason; errors without a code are unexpected (JOB_UNEXPECTED). */
export function failureReason(err: unknown): string {
  const e = err as { code?: unknown; message?: string };
  const message = e?.message ?? String(err);
  if (typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code))
    return message.startsWith(e.code) ? message : `${e.code}: ${message}`;
  return `JOB_UNEXPECTED: ${message}`;
}
