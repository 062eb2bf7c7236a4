// Pseudonyms derived from the site's key: the same original always gives the same pseudonymous UID, patient ID,
// name and date shift, within and across studies, with no lookup (the worker needs no database); the mapping back
// is kept by the caller (src/db/deid-mappings.ts, encrypted). Without the key a pseudonym reveals nothing.
import { createHmac, hkdfSync } from 'node:crypto';
import { DeidError } from './errors.js';

export interface PatientPseudonym { id: string; name: string }

export interface Pseudonymizer {
  uid(original: string): string;
  patient(issuer: string, id: string, name: string): PatientPseudonym;
  /** days added to every date of this patient under Retain Longitudinal … Modified Dates: −1 to −3650 */
  dateShiftDays(patientKey: string): number;
}

/** The 32-byte site key from base64 (config `deid.key` or env DEID_KEY). */
export function parseDeidKey(base64: string | undefined): Buffer {
  const key = base64 ? Buffer.from(base64, 'base64') : Buffer.alloc(0);
  if (key.length !== 32) {
    throw new DeidError('DEID_KEY_MISSING',
      'deid.key (or DEID_KEY) must be 32 bytes in base64 (openssl rand -base64 32)');
  }
  return key;
}

/** A subkey for one purpose, so the pseudonym key and the encryption key never coincide. */
export function subkey(key: Buffer, purpose: 'pseudonyms' | 'mapping-encryption' | 'mapping-lookup'): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `dicom-ai-node deid ${purpose}`, 32));
}

export class KeyedPseudonymizer implements Pseudonymizer {
  private readonly key: Buffer;
  constructor(siteKey: Buffer) { this.key = subkey(siteKey, 'pseudonyms'); }

  private mac(kind: string, value: string): Buffer {
    return createHmac('sha256', this.key).update(`${kind}\0${value}`).digest();
  }

  /** 2.25 + 128 bits as a decimal integer (PS3.5 B.2): at most 44 characters, unique with overwhelming odds. */
  uid(original: string): string {
    return `2.25.${BigInt('0x' + this.mac('uid', original).subarray(0, 16).toString('hex')).toString()}`;
  }

  patient(issuer: string, id: string, name: string): PatientPseudonym {
    const code = this.mac('patient', patientKey(issuer, id, name)).subarray(0, 6).toString('hex').toUpperCase();
    return { id: `ANON${code}`, name: `ANON^${code}` };
  }

  dateShiftDays(key: string): number {
    return -(1 + (this.mac('date-shift', key).readUInt32BE(0) % 3650));
  }
}

/** What identifies a patient for pseudonyms: issuer + ID, or the name when there is no ID. */
export function patientKey(issuer: string, id: string, name: string): string {
  return id ? `id\0${issuer}\0${id}` : `name\0${name}`;
}
