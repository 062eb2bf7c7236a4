// Replacement values: D's dummies consistent with the VR, C's shifted dates and cleaned text.

/** A dummy value for D (PS3.15 E.1.1: non-zero length, consistent with the VR); undefined: write zero length. */
export function dummyValue(vr: string): string | undefined {
  switch (vr) {
    case 'PN': return 'ANONYMIZED';
    case 'LO': case 'SH': case 'LT': case 'ST': case 'UT': case 'UC': return 'ANONYMIZED';
    case 'CS': return 'ANONYMIZED';
    case 'DA': return '19000101';
    case 'TM': return '000000';
    case 'DT': return '19000101000000';
    case 'AS': return '000Y';
    case 'IS': case 'DS': return '0';
    case 'AE': return 'ANONYMIZED';
    default: return undefined;
  }
}

/** Adds `days` to every YYYYMMDD at the start of each value (DA, and DT's date part); times are kept. */
export function shiftDates(value: string, vr: string, days: number): string {
  if (vr !== 'DA' && vr !== 'DT') return value;
  return value.split('\\').map((v) => {
    const m = /^(\d{4})(\d{2})(\d{2})(.*)$/.exec(v.trim());
    if (!m) return v.includes('-') ? v.split('-').map((p) => shiftDates(p, vr, days)).join('-') : '';
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + days));
    const s = `${d.getUTCFullYear()}`.padStart(4, '0') + `${d.getUTCMonth() + 1}`.padStart(2, '0')
      + `${d.getUTCDate()}`.padStart(2, '0');
    return s + m[4];
  }).join('\\');
}

/**
 * C for text (Clean Descriptors / Structured Content): keeps the words, removes what identifies — every word of
 * the patient's names and identifiers that occurs, and runs of 5 or more digits (IDs, phone numbers, dates).
 * Best effort, as any text cleaner: a site that cannot accept that leaves the option off (descriptors removed).
 */
export function cleanText(value: string, identifiers: readonly string[]): string {
  let out = value;
  for (const id of identifiers) {
    for (const word of id.split(/[\^\s,]+/).filter((w) => w.length >= 2)) {
      out = out.replace(new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), '');
    }
  }
  return out.replace(/\d{5,}/g, '').replace(/ {2,}/g, ' ').trim();
}
