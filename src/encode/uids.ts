// Deterministic result UIDs: the same (source series, model id + version, job id) always yields the same UIDs,
// so a retried export re-sends identical objects and PACS sees duplicates, never two different SEGs for one job.
import { createHash } from 'node:crypto';
import { EncodeError } from './errors.js';

const UID_MAX = 64;
const MIN_SUFFIX_DIGITS = 20;   // ~66 bits of the hash: collisions are not a practical concern
const UID_ROOT = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** What a UID names; part of the hash input so each object of one job gets its own UID. */
export type UidPurpose =
  | 'seg-series' | 'seg-instance' | 'sr-series' | 'sr-instance' | 'dimension-organization'
  | `tracking-${number}` | `tracking-absent-${string}`;

export interface UidInputs {
  uidRoot: string; sourceSeriesUid: string; modelId: string; modelVersion: string; jobId: string
}

/** UID for one result object of a job: `<uidRoot>.<decimal digits of a SHA-256 of the inputs>`. */
export function deriveResultUid(inputs: UidInputs, purpose: UidPurpose): string {
  const { uidRoot, sourceSeriesUid, modelId, modelVersion, jobId } = inputs;
  return uidFromHash(uidRoot, [sourceSeriesUid, modelId, modelVersion, jobId, purpose]);
}

/** UID of the model as a device (IHE AIR DeviceUID): changes whenever the model id or version changes, not per job. */
export function deriveModelDeviceUid(uidRoot: string, modelId: string, modelVersion: string): string {
  return uidFromHash(uidRoot, ['model-device', modelId, modelVersion]);
}

/** UID of this node as an SR device observer: stable for one installation (root + serial number). */
export function deriveNodeDeviceUid(uidRoot: string, serialNumber: string): string {
  return uidFromHash(uidRoot, ['node-device', serialNumber]);
}

/**
 * UID of an IOCM Rejection Note (or its series) for one retraction of one result: a retried send of the same
 * retraction re-sends the same note, a later retraction of the same result gets a note of its own.
 */
export function deriveRejectionNoteUid(uidRoot: string, resultId: string, retraction: string,
  purpose: 'kos-series' | 'kos-instance'): string {
  return uidFromHash(uidRoot, ['rejection-note', resultId, retraction, purpose]);
}

export function checkUidRoot(uidRoot: string): void {
  if (!UID_ROOT.test(uidRoot)) {
    throw new EncodeError('ENC_UID_ROOT',
      `uidRoot "${uidRoot}" is not a valid UID prefix (digits and dots, no leading zeros)`);
  }
  if (uidRoot.length + 1 + MIN_SUFFIX_DIGITS > UID_MAX) {
    throw new EncodeError('ENC_UID_ROOT',
      `uidRoot is ${uidRoot.length} characters; at most ${UID_MAX - 1 - MIN_SUFFIX_DIGITS} leave room for the derived part`);
  }
}

function uidFromHash(uidRoot: string, parts: string[]): string {
  checkUidRoot(uidRoot);
  // \u0000 separates parts so ("ab","c") and ("a","bc") hash differently
  const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const digits = BigInt('0x' + digest).toString(10);   // no leading zero: BigInt's decimal form never has one
  const room = Math.min(UID_MAX - uidRoot.length - 1, 39);   // 39 digits ≈ 128 bits, like the 2.25 form
  return `${uidRoot}.${digits.slice(0, room)}`;
}
