// Checks a received instance's header against what the sender announced, before it is acknowledged.
import { UnparseableDataset } from '../dicom/dataset-walker.js';
import { scanPart10File, scanPart10Slices, type ScannedHeader } from '../dicom/header-scan.js';
import { StoreError } from './status.js';

export interface StoreContext {
  source: 'dimse' | 'stow';
  callingAe: string | null;
  calledAe: string | null;
  /** From the C-STORE command: the data set must say the same. */
  expectedSopClassUid?: string;
  expectedSopInstanceUid?: string;
  /** From the STOW-RS URL: the instance must belong to this study. */
  expectedStudyUid?: string;
}

export interface InspectedHeader {
  sopClassUid: string; sopInstanceUid: string; studyUid: string; seriesUid: string; transferSyntaxUid: string;
  values: Record<string, string>;
}

export function inspect(file: string, ctx: StoreContext): InspectedHeader {
  return check(() => scanPart10File(file), ctx);
}

/** An instance held in memory as the slices it arrived in. */
export function inspectSlices(slices: readonly Uint8Array[], ctx: StoreContext): InspectedHeader {
  return check(() => scanPart10Slices(slices), ctx);
}

function check(scan: () => ScannedHeader, ctx: StoreContext): InspectedHeader {
  let h;
  try {
    h = scan();
  } catch (err) {
    if (err instanceof UnparseableDataset)
      throw new StoreError('STORE_UNPARSEABLE', `data set cannot be parsed: ${err.message}`);
    throw err;
  }
  const v = h.values;
  const sopClassUid = v.SOPClassUID ?? '';
  const sopInstanceUid = v.SOPInstanceUID ?? '';
  if (!sopClassUid || !sopInstanceUid)
    throw new StoreError('STORE_SOP_MISMATCH', 'data set has no SOPClassUID or SOPInstanceUID');
  const expectedClass = ctx.expectedSopClassUid ?? h.mediaStorageSopClassUid;
  const expectedInstance = ctx.expectedSopInstanceUid ?? h.mediaStorageSopInstanceUid;
  if (expectedClass && expectedClass !== sopClassUid) throw new StoreError('STORE_SOP_MISMATCH',
    `SOPClassUID ${sopClassUid} differs from the announced ${expectedClass}`);
  if (expectedInstance && expectedInstance !== sopInstanceUid) throw new StoreError('STORE_SOP_MISMATCH',
    `SOPInstanceUID ${sopInstanceUid} differs from the announced ${expectedInstance}`);
  if (!v.StudyInstanceUID || !v.SeriesInstanceUID)
    throw new StoreError('STORE_SOP_MISMATCH', 'data set has no StudyInstanceUID or SeriesInstanceUID');
  if (ctx.expectedStudyUid && ctx.expectedStudyUid !== v.StudyInstanceUID) {
    throw new StoreError('STORE_STUDY_MISMATCH',
      `instance belongs to study ${v.StudyInstanceUID}, not to ${ctx.expectedStudyUid} named in the request`);
  }
  return { sopClassUid, sopInstanceUid, studyUid: v.StudyInstanceUID, seriesUid: v.SeriesInstanceUID,
    transferSyntaxUid: h.transferSyntaxUid, values: v };
}
