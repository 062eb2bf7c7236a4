// Checks segment descriptions (from a model manifest) before any byte is built, naming the bad field.
import { EncodeError } from './errors.js';
import type { Code, SegmentDescription } from './types.js';

const MEASUREMENTS = new Set(['volume', 'mean', 'stdDev', 'min', 'max']);

export function validateSegments(segments: SegmentDescription[]): void {
  if (!Array.isArray(segments) || segments.length === 0) throw new EncodeError('ENC_SEGMENTS',
    'no segment descriptions given');
  const labels = new Set<string>();
  segments.forEach((s, i) => {
    const where = `segments[${i}]`;
    if (typeof s.label !== 'string' || s.label.trim() === '' || s.label.length > 64) {
      fail(`${where}.label must be 1..64 characters`);
    }
    if (labels.has(s.label)) fail(`${where}.label "${s.label}" is used twice; labels identify segments in the SR`);
    labels.add(s.label);
    if (!Array.isArray(s.labelValues) || s.labelValues.length === 0
      || s.labelValues.some((v) => !Number.isInteger(v) || v < 1 || v > 255)) {
      fail(`${where}.labelValues must be integers 1..255 (0 is background)`);
    }
    checkCode(s.category, `${where}.category`);
    checkCode(s.type, `${where}.type`);
    if (s.typeModifier !== undefined) checkCode(s.typeModifier, `${where}.typeModifier`);
    if (!Array.isArray(s.colorRgb) || s.colorRgb.length !== 3 || s.colorRgb.some(
      (c) => !Number.isInteger(c) || c < 0 || c > 255)) {
      fail(`${where}.colorRgb must be three integers 0..255`);
    }
    if (!Array.isArray(s.measurements) || s.measurements.some((m) => !MEASUREMENTS.has(m))) {
      fail(`${where}.measurements may hold only ${[...MEASUREMENTS].join(', ')}`);
    }
  });
}

export function checkCode(code: Code | undefined, where: string): void {
  const ok = code && [code.scheme, code.value, code.meaning].every((v) => typeof v === 'string' && v.trim() !== '')
    && code.scheme.length <= 16 && code.value.length <= 16 && code.meaning.length <= 64;
  if (!ok) fail(`${where} must have scheme (≤16), value (≤16) and meaning (≤64)`);
}

function fail(message: string): never {
  throw new EncodeError('ENC_SEGMENTS', message);
}
