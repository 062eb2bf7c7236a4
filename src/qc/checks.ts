// Quality check of one result: runs each segment's declared plausibility checks and names every failure.
import type { SegmentChecks } from '../infer/manifest.js';
import { componentSizes } from './components.js';
import { labelHistograms, sumOver, type LabelHistograms } from './label-histograms.js';
import { QcError, type QcInput, type QcMeasurement, type QcReason, type QcResult, type QcSegment } from './types.js';

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

function checkSegment(segment: QcSegment, input: QcInput, h: LabelHistograms, reasons: QcReason[]): QcMeasurement {
  const checks = segment.checks!;
  const [sliceMm, rowMm, columnMm] = input.labels.spacingMm;
  const mlPerVoxel = (sliceMm * rowMm * columnMm) / 1000;
  const voxels = sumOver(h.counts, segment.labelValues);
  const volumeMl = voxels * mlPerVoxel;
  const m: QcMeasurement = {
    segment: segment.label, voxels, volumeMl, volumeMlPerCm: volumeMl / input.scannedLengthCm,
    borderFraction: voxels ? sumOver(h.border, segment.labelValues) / voxels : 0,
  };
  const fail = (check: QcReason['check'], value: number, limit: number, message: string) =>
    reasons.push({ segment: segment.label, check, value, limit, message: `${segment.label}: ${message}` });
  if (voxels === 0 && checks.mayBeAbsent) return m;

  const volume = checks.volumeMl;
  if (volume?.min !== undefined && volumeMl < volume.min) {
    fail('volumeMl.min', volumeMl, volume.min, voxels === 0
      ? `absent (no voxel), but at least ${num(volume.min)} ml is expected`
      : `${num(volumeMl)} ml, below the minimum of ${num(volume.min)} ml`);
  }
  if (volume?.max !== undefined && volumeMl > volume.max) {
    fail('volumeMl.max', volumeMl, volume.max, `${num(volumeMl)} ml, above the maximum of ${num(volume.max)} ml`);
  }
  const perCm = checks.volumeMlPerCm;
  const perCmText = `${num(m.volumeMlPerCm)} ml per cm of scanned length (${num(volumeMl)} ml over ${num(input.scannedLengthCm)} cm)`;
  if (perCm?.min !== undefined && m.volumeMlPerCm < perCm.min) {
    fail('volumeMlPerCm.min', m.volumeMlPerCm, perCm.min, `${perCmText}, below the minimum of ${num(perCm.min)} ml/cm`);
  }
  if (perCm?.max !== undefined && m.volumeMlPerCm > perCm.max) {
    fail('volumeMlPerCm.max', m.volumeMlPerCm, perCm.max, `${perCmText}, above the maximum of ${num(perCm.max)} ml/cm`);
  }

  if (checks.inside) {
    const container = input.segments.find((s) => s.label === checks.inside!.segment);
    if (!container) throw new QcError('QC_INPUT_INVALID', `${segment.label}: inside names no segment "${checks.inside.segment}"`);
    const inContainer = new Set(container.labelValues);
    const outside = sumOver(h.counts, segment.labelValues.filter((v) => !inContainer.has(v)));
    m.fractionOutside = voxels ? outside / voxels : 0;
    if (m.fractionOutside > checks.inside.maxFractionOutside) {
      fail('inside', m.fractionOutside, checks.inside.maxFractionOutside, `${pct(m.fractionOutside)} of its voxels `
        + `(${num(outside * mlPerVoxel)} ml) lie outside ${container.label}, more than the allowed ${pct(checks.inside.maxFractionOutside)}`);
    }
  }

  if (checks.maxBorderFraction !== undefined && m.borderFraction > checks.maxBorderFraction) {
    fail('maxBorderFraction', m.borderFraction, checks.maxBorderFraction, `${pct(m.borderFraction)} of its voxels lie on `
      + `the image border (first or last row or column of a slice), more than the allowed ${pct(checks.maxBorderFraction)}`);
  }

  if (checks.maxComponents !== undefined) {
    m.components = countComponents(segment, input, checks, mlPerVoxel);
    if (m.components > checks.maxComponents) {
      const counted = checks.ignoreComponentsBelowMl === undefined ? '' : ` of at least ${num(checks.ignoreComponentsBelowMl)} ml`;
      fail('maxComponents', m.components, checks.maxComponents,
        `${m.components} separate pieces (3D connected components${counted}), more than the allowed ${checks.maxComponents}`);
    }
  }
  return m;
}

function countComponents(segment: QcSegment, input: QcInput, checks: SegmentChecks, mlPerVoxel: number): number {
  const member = new Uint8Array(256);
  for (const v of segment.labelValues) member[v] = 1;
  const sizes = componentSizes(input.labels.data, input.labels.dims, member);
  const floorMl = checks.ignoreComponentsBelowMl ?? 0;
  return sizes.filter((voxels) => voxels * mlPerVoxel >= floorMl).length;
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
