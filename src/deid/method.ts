// The attributes that say what was done (PS3.15 E.1.1, PS3.3 C.7.1.1): Patient Identity Removed, De-identification
// Method and its Code Sequence with the CID 7050 codes of the profile and options applied, and Longitudinal
// Temporal Information Modified.
import { sequence, textElement } from './encode.js';
import type { DeidProfile } from './profile.js';

/** CID 7050 De-identification Method (PS3.16), DCM codes. */
export const CID_7050 = {
  basic: ['113100', 'Basic Application Confidentiality Profile'],
  cleanStructuredContent: ['113104', 'Clean Structured Content Option'],
  cleanDescriptors: ['113105', 'Clean Descriptors Option'],
  fullDates: ['113106', 'Retain Longitudinal Temporal Information Full Dates Option'],
  modifiedDates: ['113107', 'Retain Longitudinal Temporal Information Modified Dates Option'],
  patientCharacteristics: ['113108', 'Retain Patient Characteristics Option'],
  deviceIdentity: ['113109', 'Retain Device Identity Option'],
  uids: ['113110', 'Retain UIDs Option'],
  safePrivate: ['113111', 'Retain Safe Private Option'],
  institutionIdentity: ['113112', 'Retain Institution Identity Option'],
} as const;

export function methodCodes(p: DeidProfile): (readonly [string, string])[] {
  const codes: (readonly [string, string])[] = [CID_7050.basic];
  if (p.cleanStructuredContent) codes.push(CID_7050.cleanStructuredContent);
  if (p.cleanDescriptors) codes.push(CID_7050.cleanDescriptors);
  if (p.longitudinal === 'full') codes.push(CID_7050.fullDates);
  if (p.longitudinal === 'modified') codes.push(CID_7050.modifiedDates);
  if (p.retainPatientCharacteristics) codes.push(CID_7050.patientCharacteristics);
  if (p.retainDeviceIdentity) codes.push(CID_7050.deviceIdentity);
  if (p.retainUids) codes.push(CID_7050.uids);
  if (p.keepPrivateCreators.length) codes.push(CID_7050.safePrivate);
  if (p.retainInstitutionIdentity) codes.push(CID_7050.institutionIdentity);
  return codes;
}

/** Encoded top-level elements by tag, for the rewriter's overrides. */
export function methodElements(p: DeidProfile): Map<number, (explicit: boolean) => Buffer> {
  const codes = methodCodes(p);
  const text = codes.map((c) => c[1]).join('\\'); // LO is multi-valued; each meaning fits its 64 characters
  const temporal = p.longitudinal === 'full' ? 'UNMODIFIED' : p.longitudinal === 'modified' ? 'MODIFIED' : 'REMOVED';
  return new Map<number, (explicit: boolean) => Buffer>([
    [0x00120062, (x) => textElement(0x00120062, 'CS', 'YES', x)],
    [0x00120063, (x) => textElement(0x00120063, 'LO', text, x)],
    [0x00120064, (x) => sequence(0x00120064, 'SQ', codes.map(([value, meaning]) => Buffer.concat([
      textElement(0x00080100, 'SH', value, x), textElement(0x00080102, 'SH', 'DCM', x),
      textElement(0x00080104, 'LO', meaning, x),
    ])), x)],
    [0x00280303, (x) => textElement(0x00280303, 'CS', temporal, x)],
  ]);
}
