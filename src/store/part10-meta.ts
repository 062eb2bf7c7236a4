// The Part-10 preamble + file meta group put in front of a data set received over DIMSE (dcmjs writes it).
import dcmjs from 'dcmjs';

export const IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1462.1';
export const IMPLEMENTATION_VERSION = 'DICOM_AI_NODE_01';

export function part10Prefix(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string, sourceAe: string): Buffer {
  const meta: Record<string, { vr: string; Value: unknown[] }> = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [sopClassUid] },
    '00020003': { vr: 'UI', Value: [sopInstanceUid] },
    '00020010': { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
    '00020013': { vr: 'SH', Value: [IMPLEMENTATION_VERSION] },
  };
  if (sourceAe) meta['00020016'] = { vr: 'AE', Value: [sourceAe] };
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = {};
  return Buffer.from(dict.write());
}
