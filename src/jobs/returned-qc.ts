// Quality check of the SEG an external service returned (issue 14): the segments its external action's `qc` names,
// found in the SEG, placed on the source series' grid as one label map and checked by src/qc as a model's result
// is. A segment the SEG lacks fails `present` unless it may be absent; a SEG that cannot be placed fails `readable`:
// a result is never passed unchecked. Pure and synchronous: it runs in returned-qc-worker.ts.
import { readSegmentation } from '../encode/index.js';
import type { EncodedSegment, ReadSegment, ReadSegmentationOnGrid } from '../encode/types.js';
import { stackGeometry } from '../infer/volume/geometry.js';
import { readHeaders } from '../infer/volume/headers.js';
import { checkResult, type QcReason, type QcResult, type QcSegment } from '../qc/index.js';
import type { ExternalQc, ReturnedSegmentChecks } from '../route/index.js';

export interface ReturnedQcInput {
  /** the result's SEG (re-identified), null when the service returned none; the source series' files */
  segBytes: Uint8Array | null; sourceFiles: string[]; qc: ExternalQc;
}
/** segments: what the SEG holds of each qc segment, under the qc's label (the result's segment summary) */
export interface ReturnedQc { qc: QcResult; segments: EncodedSegment[] }

export function checkReturnedSeg({ segBytes, sourceFiles, qc }: ReturnedQcInput): ReturnedQc {
  if (!segBytes) return noLabelMap(qc, 'present', 'the answer holds no SEG (or only a quarantined one)');
  let placed: ReturnType<typeof labelMapOf>;
  try {
    placed = labelMapOf(segBytes, sourceFiles, qc);
  } catch (err) {
    const why = (err as Error).message;
    return noLabelMap(qc, 'readable', `the returned SEG cannot be placed on the source series (${why})`);
  }
  const { grid, found, map } = placed;
  const missing: QcReason[] = [];
  const segments: QcSegment[] = qc.segments.map((e, i) => {
    const labelValues = map.valuesWith(i);
    if (found[i]!.length > 0 || e.checks.mayBeAbsent) return { label: e.label, labelValues, checks: e.checks };
    missing.push(reason(e, 'present', `the returned SEG has no segment ${wanted(e)} (it has `
      + `${grid.read.segments.map((s) => `"${s.label}"`).join(', ') || 'none'})`));
    return { label: e.label, labelValues }; // no checks of its own, but other segments may be checked inside it
  });
  const [sliceMm, rowMm, columnMm] = grid.spacingMm;
  const checked = checkResult({ labels: { data: map.labels, dims: grid.dims, spacingMm: grid.spacingMm },
    scannedLengthCm: (grid.dims[0] * sliceMm) / 10, segments });
  const reasons = [...missing, ...checked.reasons];
  const mlPerVoxel = (sliceMm * rowMm * columnMm) / 1000;
  return {
    qc: { state: reasons.length ? 'failed' : 'passed', reasons, measurements: checked.measurements },
    segments: segments.map((s, i) => ({ number: i + 1, label: s.label, voxelCount: map.count(s.labelValues),
      volumeMl: map.count(s.labelValues) * mlPerVoxel })).filter((s) => s.voxelCount > 0),
  };
}

/** The SEG on the source grid, which of its segments each qc segment is, and their combined label map. */
function labelMapOf(segBytes: Uint8Array, sourceFiles: string[], qc: ExternalQc) {
  const grid = onSourceGrid(segBytes, sourceFiles);
  const found = qc.segments.map((e) => grid.read.segments.filter((s) => matches(e, s)).map((s) => s.number));
  return { grid, found, map: combinationLabels(found, grid.read.masks, grid.voxels) };
}

/** The source headers only (no pixels): sorted along the slice normal by the volume loader's own geometry. */
function onSourceGrid(segBytes: Uint8Array, sourceFiles: string[]) {
  if (sourceFiles.length === 0) throw new Error('the source series is not stored any more');
  const { frames } = readHeaders(sourceFiles);
  const geometry = stackGeometry(frames, 1, 0.05);
  const read: ReadSegmentationOnGrid = readSegmentation(segBytes, geometry.ordered.map((f) => f.header));
  const [columns, rows, slices] = geometry.dims;
  const [columnMm, rowMm, sliceMm] = geometry.spacing;
  return { read, voxels: columns * rows * slices, dims: [slices, rows, columns] as const,
    spacingMm: [sliceMm, rowMm, columnMm] as const };
}

/** By Segmented Property Type when the qc gives one (labels are free text), else by label, case and blanks aside. */
function matches(e: ReturnedSegmentChecks, s: ReadSegment): boolean {
  if (e.type) return s.type.scheme === e.type.scheme && s.type.value === e.type.value;
  return s.label.trim().toLowerCase() === e.label.trim().toLowerCase();
}

function wanted(e: ReturnedSegmentChecks): string {
  return e.type ? `of type ${e.type.scheme} ${e.type.value}` : `labelled "${e.label}"`;
}

/**
 * SEG segments may overlap, a label map holds one value a voxel: each combination of qc segments gets its own
 * value, and a qc segment is every value whose combination holds it. Counts, borders, `inside` and components then
 * mean on the map what they mean on the masks. Up to 8 qc segments the combination (a bit each) is the value.
 */
function combinationLabels(found: number[][], masks: Map<number, Uint8Array>, voxels: number) {
  const keys = found.length <= 8 ? new Uint8Array(voxels) : new Uint32Array(voxels);
  found.forEach((numbers, i) => {
    const bit = 2 ** i;
    for (const mask of numbers.flatMap((n) => masks.get(n) ?? [])) {
      for (let v = 0; v < voxels; v++) if (mask[v] !== 0) keys[v] |= bit;
    }
  });
  const { labels, keyOfValue } = keys instanceof Uint8Array
    ? { labels: keys, keyOfValue: Array.from({ length: 256 }, (_, value) => value) } : denseValues(keys);
  const counts = new Float64Array(256);
  for (let v = 0; v < voxels; v++) counts[labels[v]!]++;
  return {
    labels,
    valuesWith: (i: number) => keyOfValue.flatMap((key, value) => (value > 0 && (key >>> i) & 1 ? [value] : [])),
    count: (values: readonly number[]) => values.reduce((sum, value) => sum + counts[value]!, 0),
  };
}

/** More than 8 qc segments: the combinations that occur, numbered 1, 2, … in the order met. */
function denseValues(keys: Uint32Array): { labels: Uint8Array; keyOfValue: number[] } {
  const labels = new Uint8Array(keys.length);
  const keyOfValue = [0];
  const valueOfKey = new Map<number, number>([[0, 0]]);
  for (let v = 0; v < keys.length; v++) {
    const key = keys[v]!;
    let value = valueOfKey.get(key);
    if (value === undefined) {
      if (keyOfValue.length > 255) throw new Error('more than 255 combinations of overlapping segments');
      value = keyOfValue.push(key) - 1;
      valueOfKey.set(key, value);
    }
    labels[v] = value;
  }
  return { labels, keyOfValue };
}

/** No label map to check: every qc segment fails, except (no SEG at all) those that may be absent. */
function noLabelMap(qc: ExternalQc, check: 'present' | 'readable', why: string): ReturnedQc {
  const reasons = qc.segments.filter((e) => check === 'readable' || !e.checks.mayBeAbsent)
    .map((e) => reason(e, check, why));
  return { qc: { state: reasons.length ? 'failed' : 'passed', reasons, measurements: [] }, segments: [] };
}

function reason(e: ReturnedSegmentChecks, check: 'present' | 'readable', why: string): QcReason {
  return { segment: e.label, check, value: 0, limit: 1, message: `${e.label}: ${why}` };
}
