// Feature → coded concept and UCUM unit for the TID 1500 SR: a SNOMED CT code where the SR already uses one for the
// same quantity, otherwise the IBSI identifier under the IBSI coding scheme (registered in DICOM PS3.16
// Table 8-1 and the PS3.6 UID registry).
import type { Feature } from './types.js';
import { CODING_SCHEME_UID } from '../dicom/uids.js';

export interface CodedConcept { scheme: string; value: string; meaning: string }

/** For the SR's Coding Scheme Identification Sequence (0008,0110). */
export const IBSI_CODING_SCHEME = {
  CodingSchemeDesignator: 'IBSI',
  CodingSchemeUID: CODING_SCHEME_UID.IBSI,
  CodingSchemeName: 'Image Biomarker Standardisation Initiative',
} as const;

const sct = (value: string, meaning: string): CodedConcept => ({ scheme: 'SCT', value, meaning });

/** Features that are the same quantity as a code the SR already reports (see src/encode/sr-content.ts). The voxel
 *  count volume pairs with DCM 126030 "Sum of segmented voxel volumes" as its measurement method. */
export const STANDARD_FEATURE_CODES: Readonly<Record<string, CodedConcept>> = {
  YEKZ: sct('118565006', 'Volume'),
  Q4LE: sct('373098007', 'Mean'),
  '1GSF': sct('255605001', 'Minimum'),
  '84IY': sct('56851009', 'Maximum'),
};

export function featureConcept(f: Feature): CodedConcept {
  const ibsi = { scheme: IBSI_CODING_SCHEME.CodingSchemeDesignator, value: f.id, meaning: f.name };
  return STANDARD_FEATURE_CODES[f.id] ?? ibsi;
}

/** UCUM unit of a feature; intensity-valued features take the image's unit (e.g. [hnsf'U] for CT). */
export function featureUnit(f: Feature, intensity: CodedConcept): CodedConcept {
  switch (f.unit) {
    case 'mm3': return { scheme: 'UCUM', value: 'mm3', meaning: 'cubic millimeter' };
    case 'mm2': return { scheme: 'UCUM', value: 'mm2', meaning: 'square millimeter' };
    case 'mm': return { scheme: 'UCUM', value: 'mm', meaning: 'millimeter' };
    case '/mm': return { scheme: 'UCUM', value: '/mm', meaning: 'per millimeter' };
    case '1': return { scheme: 'UCUM', value: '1', meaning: 'no units' };
    case 'intensity': return intensity;
    // UCUM puts an exponent on a unit atom ([hnsf'U]2), never on a parenthesised term; unit 1 stays 1.
    case 'intensity2':
      return intensity.value === '1' ? intensity
        : { scheme: 'UCUM', value: `${intensity.value}2`, meaning: `${intensity.meaning} squared` };
    case 'mm3·intensity':
      return intensity.value === '1' ? { scheme: 'UCUM', value: 'mm3', meaning: 'cubic millimeter' }
        : { scheme: 'UCUM', value: `mm3.${intensity.value}`, meaning: `cubic millimeter × ${intensity.meaning}` };
  }
}

/** Texture features exist once per aggregation; the SR tells them apart by this text (IBSI's wording). */
export function aggregationText(f: Feature): string | undefined {
  return f.aggregation;
}
