// What the SCP accepts: which abstract syntaxes are storage (generically, not a short list) and
// which transfer syntax to pick from a proposed context.
import { DICOM_UID_ROOT, OTHER_STORAGE_CLASSES, SOP, STORAGE_SOP_CLASS_ROOT, TS } from '../dicom/uids.js';

/** Preference order; data are stored as received, so lossless native encodings rank first and
 *  lossy ones only when nothing else is proposed (never ask a sender to compress lossily). */
export const TRANSFER_SYNTAX_PREFERENCE = [
  TS.jpegLsLossless, TS.jpegLosslessSv1, TS.jpegLosslessNh, TS.jpeg2000Lossless, TS.htj2kLossless,
  TS.htj2kLosslessRpcl, TS.rle, TS.explicitLittle, TS.deflatedExplicitLittle,
  TS.explicitBig, // retired, still sent
  TS.implicitLittle, TS.jpegLsNearLossless, TS.jpeg2000, TS.htj2k, TS.jpegBaseline, TS.jpegExtended,
] as const;

const rank = new Map<string, number>(TRANSFER_SYNTAX_PREFERENCE.map((uid, i) => [uid, i]));

/** The best transfer syntax among those proposed, or undefined when none is acceptable. */
export function chooseTransferSyntax(proposed: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const ts of proposed) {
    const r = rank.get(ts.trim());
    if (r !== undefined && (best === undefined || r < rank.get(best)!)) best = ts.trim();
  }
  return best;
}

export function isVerification(abstractSyntax: string): boolean {
  return abstractSyntax === SOP.verification;
}

/**
 * Storage SOP classes live under 1.2.840.10008.5.1.4.1.1 (images, SR, SEG, RT, waveforms, …) and a
 * few newer roots; private SOP classes (outside 1.2.840.10008) are storage by convention when
 * a PACS sends them, and are accepted when the configuration allows.
 */
export function isStorageSopClass(abstractSyntax: string, acceptPrivate: boolean): boolean {
  const uid = abstractSyntax.trim();
  if (uid.startsWith(STORAGE_SOP_CLASS_ROOT)) return true;
  if (OTHER_STORAGE_CLASSES.has(uid)) return true;
  return acceptPrivate && !uid.startsWith(DICOM_UID_ROOT);
}
