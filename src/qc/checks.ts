// Quality check of one result: runs each segment's declared plausibility checks and names every failure.
import type { SegmentChecks } from '../infer/manifest.js';
import { componentSizes } from './components.js';
import { labelHistograms, sliceExtent, sumOver, type LabelHistograms } from './label-histograms.js';
import {
  QcError, type QcCheckName, type QcInput, type QcMeasurement, type QcReason, type QcResult, type QcSegment,
} from './types.js';

/**
 * Pure and synchronous (the caller runs it in a worker): one pass over the label map for the counts, plus
 * one connected-component pass for each segment that limits its components.
 */
export function checkResult(input: QcInput): QcResult {
  const checked = input.segments.filter((s) => hasChecks(s.checks));
  if (checked.length === 0) return { state: 'none', reasons: [], measurements: [] };
  checkInput(input);
  const histograms = labelHistograms(input.labels.data, input.labels.dims);
  const reasons: QcReason[] = [];
  const measurements = checked.map((s) => checkSegment(s, input, histograms, reasons));
  return { state: reasons.length ? 'failed' : 'passed', reasons, measurements };
}

/** What one segment's checks see: its measurement so far, the histograms, and where failures go. */
interface SegmentContext {
  segment: QcSegment; checks: SegmentChecks; input: QcInput; h: LabelHistograms; m: QcMeasurement; mlPerVoxel: number;
  fail: (check: QcCheckName, value: number, limit: number, message: string) => void;
}

function checkSegment(segment: QcSegment, input: QcInput, h: LabelHistograms, reasons: QcReason[]): QcMeasurement {
  const checks = segment.checks!;
  const [sliceMm, rowMm, columnMm] = input.labels.spacingMm;
  const mlPerVoxel = (sliceMm * rowMm * columnMm) / 1000;
  const voxels = sumOver(h.counts, segment.labelValues);
  const volumeMl = voxels * mlPerVoxel;
  const extentCm = (sliceExtent(h, segment.labelValues) * sliceMm) / 10;
  const m: QcMeasurement = {
    segment: segment.label, voxels, volumeMl, volumeMlPerCm: volumeMl / input.scannedLengthCm,
    extentCm, volumeMlPerCmOfExtent: extentCm ? volumeMl / extentCm : 0,
    borderFraction: voxels ? sumOver(h.border, segment.labelValues) / voxels : 0,
  };
  if (voxels === 0 && checks.mayBeAbsent) return m;
  const fail = (check: QcCheckName, value: number, limit: number, message: string) =>
    reasons.push({ segment: segment.label, check, value, limit, message: `${segment.label}: ${message}` });
  const context: SegmentContext = { segment, checks, input, h, m, mlPerVoxel, fail };
  checkVolume(context);
  if (checks.inside) checkInside(context, checks.inside);
  const maxBorder = checks.maxBorderFraction;
  if (maxBorder !== undefined && m.borderFraction > maxBorder) {
    fail('maxBorderFraction', m.borderFraction, maxBorder, `${pct(m.borderFraction)} of its voxels lie on the image `
      + `border (first or last row or column of a slice), more than the allowed ${pct(maxBorder)}`);
  }
  if (checks.maxComponents !== undefined) checkComponents(context, checks.maxComponents);
  return m;
}

function checkVolume({ checks, input, m, fail }: SegmentContext): void {
  const { volumeMl, volumeMlPerCm } = m;
  const volume = checks.volumeMl;
  if (volume?.min !== undefined && volumeMl < volume.min) {
    fail('volumeMl.min', volumeMl, volume.min, m.voxels === 0
      ? `absent (no voxel), but at least ${num(volume.min)} ml is expected`
      : `${num(volumeMl)} ml, below the minimum of ${num(volume.min)} ml`);
  }
  if (volume?.max !== undefined && volumeMl > volume.max) {
    fail('volumeMl.max', volumeMl, volume.max, `${num(volumeMl)} ml, above the maximum of ${num(volume.max)} ml`);
  }
  const perCm = checks.volumeMlPerCm;
  const measured = `${num(volumeMlPerCm)} ml per cm of scanned length `
    + `(${num(volumeMl)} ml over ${num(input.scannedLengthCm)} cm)`;
  if (perCm?.min !== undefined && volumeMlPerCm < perCm.min) {
    fail('volumeMlPerCm.min', volumeMlPerCm, perCm.min, `${measured}, below the minimum of ${num(perCm.min)} ml/cm`);
  }
  if (perCm?.max !== undefined && volumeMlPerCm > perCm.max) {
    fail('volumeMlPerCm.max', volumeMlPerCm, perCm.max, `${measured}, above the maximum of ${num(perCm.max)} ml/cm`);
  }
  const ofExtent = checks.volumeMlPerCmOfExtent;
  const perExtent = m.volumeMlPerCmOfExtent;
  const spanned = m.voxels === 0 ? '0 ml per cm (absent)'
    : `${num(perExtent)} ml per cm over the ${num(m.extentCm)} cm it spans (${num(volumeMl)} ml)`;
  if (ofExtent?.min !== undefined && perExtent < ofExtent.min) {
    fail('volumeMlPerCmOfExtent.min', perExtent, ofExtent.min,
      `${spanned}, below the minimum of ${num(ofExtent.min)} ml/cm`);
  }
  if (ofExtent?.max !== undefined && perExtent > ofExtent.max) {
    fail('volumeMlPerCmOfExtent.max', perExtent, ofExtent.max,
      `${spanned}, above the maximum of ${num(ofExtent.max)} ml/cm`);
  }
}

/** Membership is by label value, so the voxels outside the other segment are those of values it does not cover. */
function checkInside(
  { segment, input, h, m, mlPerVoxel, fail }: SegmentContext, inside: NonNullable<SegmentChecks['inside']>,
): void {
  const container = input.segments.find((s) => s.label === inside.segment);
  if (!container) throw new QcError('QC_INPUT_INVALID',
    `${segment.label}: inside names no segment "${inside.segment}"`);
  const covered = new Set(container.labelValues);
  const outside = sumOver(h.counts, segment.labelValues.filter((v) => !covered.has(v)));
  m.fractionOutside = m.voxels ? outside / m.voxels : 0;
  if (m.fractionOutside > inside.maxFractionOutside) {
    fail('inside', m.fractionOutside, inside.maxFractionOutside,
      `${pct(m.fractionOutside)} of its voxels (${num(outside * mlPerVoxel)}`
      + ` ml) lie outside ${container.label}, more than the allowed ${pct(inside.maxFractionOutside)}`);
  }
}

function checkComponents({ segment, checks, input, m, mlPerVoxel, fail }: SegmentContext, maxComponents: number): void {
  const member = new Uint8Array(256);
  for (const v of segment.labelValues) member[v] = 1;
  const sizes = componentSizes(input.labels.data, input.labels.dims, member);
  const floorMl = checks.ignoreComponentsBelowMl;
  m.components = floorMl === undefined ? sizes.length : sizes.filter((voxels) => voxels * mlPerVoxel >= floorMl).length;
  if (m.components > maxComponents) {
    const counted = floorMl === undefined ? '' : ` of at least ${num(floorMl)} ml`;
    fail('maxComponents', m.components, maxComponents,
      `${m.components} separate pieces (3D connected components${counted}), more than the allowed ${maxComponents}`);
  }
}

function hasChecks(checks: SegmentChecks | undefined): checks is SegmentChecks {
  if (!checks) return false;
  const { mayBeAbsent: _, ignoreComponentsBelowMl: __, ...limits } = checks;
  return Object.values(limits).some((v) => v !== undefined);
}

function checkInput({ labels, scannedLengthCm, segments }: QcInput): void {
  const { data, dims, spacingMm } = labels;
  if (dims.length !== 3 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new QcError('QC_INPUT_INVALID', `dims must be three positive integers, got ${dims.join('×')}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== dims[0] * dims[1] * dims[2]) {
    throw new QcError('QC_INPUT_INVALID', `the label map must be a Uint8Array of ${dims.join('×')} voxels`);
  }
  if (spacingMm.length !== 3 || spacingMm.some((d) => !(d > 0 && Number.isFinite(d)))) {
    throw new QcError('QC_INPUT_INVALID', `spacingMm must be three positive numbers, got ${spacingMm.join(', ')}`);
  }
  if (!(scannedLengthCm > 0 && Number.isFinite(scannedLengthCm))) {
    throw new QcError('QC_INPUT_INVALID', `scannedLengthCm must be a positive number, got ${scannedLengthCm}`);
  }
  for (const s of segments) {
    if (s.labelValues.some((v) => !Number.isInteger(v) || v < 1 || v > 255)) {
      throw new QcError('QC_INPUT_INVALID', `${s.label}: label values must be integers 1..255`);
    }
  }
}

/** Three significant digits, whole numbers from 100 up, never an exponent (readable on a review page). */
function num(v: number): string {
  if (Math.abs(v) >= 100) return String(Math.round(v));
  return String(Number(v.toPrecision(3)));
}

function pct(fraction: number): string {
  return `${num(fraction * 100)} %`;
}
