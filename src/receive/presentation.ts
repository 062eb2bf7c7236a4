// What the SCP accepts: which abstract syntaxes are storage (generically, not a short list) and
// which transfer syntax to pick from a proposed context.
const VERIFICATION = '1.2.840.10008.1.1';

/** Preference order; data are stored as received, so lossless native encodings rank first and
 *  lossy ones only when nothing else is proposed (never ask a sender to compress lossily). */
export const TRANSFER_SYNTAX_PREFERENCE = [
  '1.2.840.10008.1.2.4.80', // JPEG-LS lossless
  '1.2.840.10008.1.2.4.70', // JPEG lossless SV1
  '1.2.840.10008.1.2.4.57', // JPEG lossless
  '1.2.840.10008.1.2.4.90', // JPEG 2000 lossless
  '1.2.840.10008.1.2.4.201', // HTJ2K lossless
  '1.2.840.10008.1.2.4.202', // HTJ2K lossless RPCL
  '1.2.840.10008.1.2.5', // RLE lossless
  '1.2.840.10008.1.2.1', // Explicit VR little endian
  '1.2.840.10008.1.2.1.99', // Deflated explicit VR little endian
  '1.2.840.10008.1.2.2', // Explicit VR big endian (retired, still sent)
  '1.2.840.10008.1.2', // Implicit VR little endian
  '1.2.840.10008.1.2.4.81', // JPEG-LS near-lossless
  '1.2.840.10008.1.2.4.91', // JPEG 2000
  '1.2.840.10008.1.2.4.203', // HTJ2K
  '1.2.840.10008.1.2.4.50', // JPEG baseline
  '1.2.840.10008.1.2.4.51', // JPEG extended
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
  return abstractSyntax === VERIFICATION;
}

/** Storage SOP classes outside the 1.2.840.10008.5.1.4.1.1 root (PS3.4 B.5). */
const OTHER_STORAGE_CLASSES = new Set([
  '1.2.840.10008.5.1.4.34.7', // RT Beams Delivery Instruction
  '1.2.840.10008.5.1.4.34.10', // RT Brachy Application Setup Delivery Instruction
  '1.2.840.10008.5.1.4.38.1', // Hanging Protocol
  '1.2.840.10008.5.1.4.39.1', // Color Palette
  '1.2.840.10008.5.1.4.43.1', // Generic Implant Template
  '1.2.840.10008.5.1.4.44.1', // Implant Assembly Template
  '1.2.840.10008.5.1.4.45.1', // Implant Template Group
]);

/**
 * Storage SOP classes live under 1.2.840.10008.5.1.4.1.1 (images, SR, SEG, RT, waveforms, …) and a
 * few newer roots; private SOP classes (outside 1.2.840.10008) are storage by convention when
 * a PACS sends them, and are accepted when the configuration allows.
 */
export function isStorageSopClass(abstractSyntax: string, acceptPrivate: boolean): boolean {
  const uid = abstractSyntax.trim();
  if (uid.startsWith('1.2.840.10008.5.1.4.1.1.')) return true;
  if (OTHER_STORAGE_CLASSES.has(uid)) return true;
  return acceptPrivate && !uid.startsWith('1.2.840.10008.');
}
