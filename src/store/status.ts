// DICOM status codes the store answers with, and the error that carries one to the protocol edge.
export const Status = {
  Success: 0x0000,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc210,
  ProcessingFailure: 0xc211,
} as const;

export type StoreStatus = (typeof Status)[keyof typeof Status];

/** Stable codes (documented in the README) for every way storing an instance can fail. */
export type StoreErrorCode =
  | 'STORE_OUT_OF_SPACE'
  | 'STORE_UNPARSEABLE'
  | 'STORE_SOP_MISMATCH'
  | 'STORE_STUDY_MISMATCH'
  | 'STORE_WRITE_FAILED';

const statusOf: Record<StoreErrorCode, StoreStatus> = {
  STORE_OUT_OF_SPACE: Status.OutOfResources,
  STORE_UNPARSEABLE: Status.CannotUnderstand,
  STORE_SOP_MISMATCH: Status.DataSetDoesNotMatchSopClass,
  STORE_STUDY_MISMATCH: Status.ProcessingFailure,
  STORE_WRITE_FAILED: Status.ProcessingFailure,
};

export class StoreError extends Error {
  readonly status: StoreStatus;
  constructor(readonly code: StoreErrorCode, message: string) {
    super(message);
    this.status = statusOf[code];
  }
}

/** Maps anything thrown while storing to a StoreError, so handlers never throw across the network. */
export function asStoreError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC' || e?.code === 'EDQUOT')
    return new StoreError('STORE_OUT_OF_SPACE', 'no space left on the storage volume');
  return new StoreError('STORE_WRITE_FAILED', e?.message ?? String(err));
}
