// Input and result types of the quality check (src/qc), and its codes.
import type { SegmentChecks } from '../infer/manifest.js';

/** The result's label map on the grid the SEG uses. */
export interface QcLabelMap {
  /** Label values, index = column + columns·(row + rows·slice); 0 is background. */
  data: Uint8Array;
  /** [slices, rows, columns]. */
  dims: readonly [number, number, number];
  /** Voxel size in mm in the order of dims: [between slices, between rows, between columns]. */
  spacingMm: readonly [number, number, number];
}

/** A manifest segment as the checks need it (a SegmentDescription fits). */
export interface QcSegment { label: string; labelValues: readonly number[]; checks?: SegmentChecks }

export interface QcInput {
  labels: QcLabelMap;
  /** Length the series covers along the slice axis, in cm (what volumeMlPerCm divides by). */
  scannedLengthCm: number;
  segments: readonly QcSegment[];
}

/** none: the manifest declares no checks; passed: every declared check holds; failed: at least one does not. */
export type QcState = 'passed' | 'failed' | 'none';

export type QcCheckName =
  | 'volumeMl.min' | 'volumeMl.max' | 'volumeMlPerCm.min' | 'volumeMlPerCm.max'
  | 'volumeMlPerCmOfExtent.min' | 'volumeMlPerCmOfExtent.max'
  | 'inside' | 'maxBorderFraction' | 'maxComponents'
  /** returned results (an external action's qc): the segment is in the SEG, and the SEG could be read on its source */
  | 'present' | 'readable';

/** One failed check. value and limit are in the check's unit: ml, ml/cm, a fraction 0..1, or a count. */
export interface QcReason { segment: string; check: QcCheckName; value: number; limit: number; message: string }

/** What was measured for a segment that declares checks (shown next to the reasons). */
export interface QcMeasurement {
  segment: string;
  voxels: number;
  volumeMl: number;
  volumeMlPerCm: number;
  /** Length from the first to the last slice holding the segment, in cm (0 when absent), and volumeMl over it. */
  extentCm: number;
  volumeMlPerCmOfExtent: number;
  borderFraction: number;
  /** Only with an inside check: fraction of the voxels outside the named segment. */
  fractionOutside?: number;
  /** Only with maxComponents: the components counted (those at or above ignoreComponentsBelowMl). */
  components?: number;
}

export interface QcResult { state: QcState; reasons: QcReason[]; measurements: QcMeasurement[] }

/** The code a result carries when it failed its quality check (held for review or not sent, as a rule says). */
export const QC_FAILED = 'QC_FAILED';

/** QC_INPUT_INVALID: the label map or the segments handed to checkResult do not fit together (a bug upstream). */
export type QcErrorCode = 'QC_INPUT_INVALID';

export class QcError extends Error {
  constructor(readonly code: QcErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'QcError';
  }
}
