// Result UIDs: same job → same UIDs, other job/model/series → other UIDs, always valid UID syntax.
import { describe, expect, it } from 'vitest';
import { checkUidRoot, deriveModelDeviceUid, deriveResultUid } from '../../../src/encode/uids.js';
import { EncodeError } from '../../../src/encode/errors.js';

const base = { uidRoot: '1.2.826.0.1.3680043.9.7433', sourceSeriesUid: '1.2.3.4.5', modelId: 'lung',
  modelVersion: '1.0.0', jobId: 'job-1' };
const UID_SYNTAX = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

describe('deriveResultUid', () => {
  it('is deterministic for the same job and purpose', () => {
    expect(deriveResultUid(base, 'seg-instance')).toBe(deriveResultUid({ ...base }, 'seg-instance'));
  });

  it('differs per job, model version, source series and purpose', () => {
    const uid = deriveResultUid(base, 'seg-instance');
    expect(deriveResultUid({ ...base, jobId: 'job-2' }, 'seg-instance')).not.toBe(uid);
    expect(deriveResultUid({ ...base, modelVersion: '1.0.1' }, 'seg-instance')).not.toBe(uid);
    expect(deriveResultUid({ ...base, sourceSeriesUid: '1.2.3.4.6' }, 'seg-instance')).not.toBe(uid);
    expect(deriveResultUid(base, 'sr-instance')).not.toBe(uid);
  });

  it('keeps the root, valid syntax and at most 64 characters, for short and long roots', () => {
    for (const uidRoot of ['2.25', '1.2.826.0.1.3680043.9.7433', '1.2.840.113619.2.55.3.604688119.12345678901']) {
      for (const jobId of ['a', 'b', 'c', 'd', 'e', 'f']) {
        const uid = deriveResultUid({ ...base, uidRoot, jobId }, 'sr-series');
        expect(uid.startsWith(`${uidRoot}.`)).toBe(true);
        expect(uid).toMatch(UID_SYNTAX);
        expect(uid.length).toBeLessThanOrEqual(64);
      }
    }
  });

  it('derives the model device UID from model id + version only (IHE AIR: new UID when the model changes)', () => {
    expect(deriveModelDeviceUid('2.25', 'lung', '1.0.0')).toBe(deriveModelDeviceUid('2.25', 'lung', '1.0.0'));
    expect(deriveModelDeviceUid('2.25', 'lung', '1.0.1')).not.toBe(deriveModelDeviceUid('2.25', 'lung', '1.0.0'));
  });

  it('rejects malformed or too long roots with ENC_UID_ROOT', () => {
    for (const root of ['1.02.3', '1..2', 'abc', '1.2.', '1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20']) {
      expect(() => checkUidRoot(root)).toThrow(EncodeError);
      try { checkUidRoot(root); } catch (e) { expect((e as EncodeError).code).toBe('ENC_UID_ROOT'); }
    }
  });
});
