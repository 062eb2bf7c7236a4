// Errors of de-identification and re-identification: a stable code an admin can look up, and what to fix.

export type DeidErrorCode =
  | 'DEID_UNPARSEABLE'            // not Part 10, truncated, or an element overruns its container
  | 'DEID_UNSUPPORTED_TRANSFER_SYNTAX' // big endian or deflated: the rewriter edits little endian data sets only
  | 'DEID_BURNED_IN_ANNOTATION'   // Burned In Annotation YES (or absent on SC/US) and the profile does not allow it
  | 'DEID_PROFILE_INVALID'        // a profile option or private-creator whitelist that fails validation
  | 'DEID_KEY_MISSING'            // no pseudonymisation key in deid.key / DEID_KEY (32 bytes, base64)
  | 'DEID_WORKER_FAILED'          // the de-identification worker died or met an unexpected error (a bug)
  | 'REID_UNKNOWN_UID'            // a returned object references a pseudonymous UID the mapping does not know
  | 'REID_UNPARSEABLE';           // a returned object is not a readable Part-10 little endian data set

export class DeidError extends Error {
  readonly code: DeidErrorCode;
  constructor(code: DeidErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'DeidError';
    this.code = code;
  }
}
