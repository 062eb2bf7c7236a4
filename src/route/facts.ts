// What a condition looks at: a DICOM attribute of the study or series header, or a fact the node knows.
import type { SeriesFacts, StudyFacts } from './types.js';
import { resolveAttribute } from './dictionary.js';

/** Where a condition is evaluated: the study (its representative header) or one of its series. */
export interface FactScope { study: StudyFacts; series?: SeriesFacts; now: Date }

/** A fact as the operators see it: every value as a string or number; none at all when missing or empty. */
export interface FactValues { values: Array<string | number>; actual: unknown }

export function lookupFact(attribute: string, scope: FactScope): FactValues {
  const ref = resolveAttribute(attribute);
  if (ref.kind === 'invalid') return { values: [], actual: null };
  const raw = ref.kind === 'fact' ? nodeFact(ref.name, scope) : (scope.series?.header ?? scope.study.header)[ref.key];
  return flatten(raw);
}

function nodeFact(name: string, { study, series, now }: FactScope): unknown {
  switch (name) {
    case 'CallingAE': return study.callingAe;
    case 'CalledAE': return study.calledAe;
    case 'Source': return study.source;
    case 'TimeOfDay': return timeOfDay(now);
    case 'NumberOfSeries': return study.series.length;
    case 'NumberOfInstances':
      return series ? series.numberOfInstances : study.series.reduce((n, s) => n + s.numberOfInstances, 0);
    case 'Orientation': return orientationOf((series ?? study).header.ImageOrientationPatient);
    default: return null;
  }
}

/** HHMM in the node's local time: 07:30 → 730. */
export function timeOfDay(at: Date): number {
  return at.getHours() * 100 + at.getMinutes();
}

// cos 10°: a slice whose normal lies within 10° of an axis is named after that axis.
const WITHIN_10_DEGREES = Math.cos((10 * Math.PI) / 180);

/** axial (normal along z), sagittal (x), coronal (y) or oblique, from ImageOrientationPatient; null when absent. */
export function orientationOf(iop: unknown): 'axial' | 'coronal' | 'sagittal' | 'oblique' | null {
  const v = Array.isArray(iop) ? iop.map(Number) : typeof iop === 'string' ? iop.split('\\').map(Number) : [];
  if (v.length !== 6 || v.some((x) => !Number.isFinite(x))) return null;
  const nx = v[1]! * v[5]! - v[2]! * v[4]!;
  const ny = v[2]! * v[3]! - v[0]! * v[5]!;
  const nz = v[0]! * v[4]! - v[1]! * v[3]!;
  const length = Math.hypot(nx, ny, nz);
  if (length === 0) return null;
  if (Math.abs(nz) / length >= WITHIN_10_DEGREES) return 'axial';
  if (Math.abs(nx) / length >= WITHIN_10_DEGREES) return 'sagittal';
  if (Math.abs(ny) / length >= WITHIN_10_DEGREES) return 'coronal';
  return 'oblique';
}

/**
 * Flattens a naturalized value: multi-valued attributes become several values, PersonName objects their
 * Alphabetic string, DICOM padding is trimmed; null, '' and [] count as missing. Sequences (objects) are
 * present but have no comparable value.
 */
function flatten(raw: unknown): FactValues {
  const values: Array<string | number> = [];
  let present = false;
  const visit = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) { v.forEach(visit); return; }
    if (typeof v === 'number') { present = true; if (!Number.isNaN(v)) values.push(v); return; }
    if (typeof v === 'string') { const t = v.trim(); if (t !== '') { present = true; values.push(t); } return; }
    if (typeof v === 'object' && typeof (v as { Alphabetic?: unknown }).Alphabetic === 'string') {
      visit((v as { Alphabetic: string }).Alphabetic);
      return;
    }
    if (typeof v === 'object') present = true;
  };
  visit(raw);
  return { values, actual: present ? simplify(raw, values) : null };
}

/** The value shown in a trace: one value as itself, several as a list, a sequence as its item count. */
function simplify(raw: unknown, values: Array<string | number>): unknown {
  if (values.length === 1) return values[0];
  if (values.length > 1) return values;
  return Array.isArray(raw) ? `(sequence of ${raw.length} item${raw.length === 1 ? '' : 's'})` : '(not comparable)';
}
