// IBSI radiomics features as TID 1500 content: one NUM per feature in the segment's measurement group, coded by
// SNOMED CT where the SR already codes the quantity, else by the IBSI identifier; the processing recorded once.
// codes.js, not the features index: the workers that encode SRs need the codes, not the configuration validator
import { IBSI_CODING_SCHEME, featureConcept, featureUnit, type CodedConcept } from '../features/codes.js';
import type { Feature, FeatureConfig } from '../features/index.js';
import type { Code } from './types.js';
import type { NaturalDataset } from './dicom-io.js';
import { CONCEPT, UNIT, code, num, text } from './sr-content.js';

/** The feature stage's answer for one segment, as the SR encoder takes it; a segment without one gets no features. */
export interface SegmentFeatureMeasurement {
  label: string;
  features: Feature[];
  /** The resolved configuration (defaults filled in): recorded in the SR so the values can be reproduced. */
  config: FeatureConfig;
}

/** Private scheme of this node for the two modifiers no standard codes yet (PS3.16 8.2: designator starts 99). */
export const NODE_CODING_SCHEME = {
  CodingSchemeDesignator: '99DAIN',
  CodingSchemeName: 'dicom-ai-node radiomics modifiers',
  CodingSchemeResponsibleOrganization: 'dicom-ai-node',
} as const;

export const FEATURE_CONCEPT = {
  aggregation: { scheme: NODE_CODING_SCHEME.CodingSchemeDesignator, value: 'AGGR', meaning: 'IBSI aggregation method' },
  parameter: { scheme: NODE_CODING_SCHEME.CodingSchemeDesignator, value: 'PARAM', meaning: 'IBSI feature parameter' },
  algorithmParameters: { scheme: 'DCM', value: '111002', meaning: 'Algorithm Parameters' },
} satisfies Record<string, Code>;

/** The Coding Scheme Identification Sequence (0008,0110) items an SR with features must declare. */
export function featureCodingSchemes(): NaturalDataset[] {
  return [{ ...IBSI_CODING_SCHEME }, { ...NODE_CODING_SCHEME }];
}

/**
 * One NUM per finite feature. A feature coded by SNOMED CT (volume, mean, minimum, maximum) carries its IBSI
 * identifier as Measurement Method, so it is never mistaken for the group's own volume or HU statistics; texture
 * features carry the aggregation method and parameterised ones their parameter (both TEXT modifiers). Non-finite
 * values (a degenerate matrix) are left out: DS cannot hold them.
 */
export function featureItems(features: Feature[], modality: string): NaturalDataset[] {
  const intensity = intensityUnit(modality);
  return features.filter((f) => Number.isFinite(f.value)).map((f) => {
    const concept = featureConcept(f);
    const modifiers: NaturalDataset[] = [];
    if (concept.scheme !== IBSI_CODING_SCHEME.CodingSchemeDesignator) {
      modifiers.push(code('HAS CONCEPT MOD', CONCEPT.measurementMethod, ibsiCode(f)));
    }
    if (f.aggregation) modifiers.push(text('HAS CONCEPT MOD', FEATURE_CONCEPT.aggregation, f.aggregation));
    if (f.qualifier) modifiers.push(text('HAS CONCEPT MOD', FEATURE_CONCEPT.parameter, f.qualifier));
    return num('CONTAINS', concept, f.value, featureUnit(f, intensity), modifiers);
  });
}

/** TID 4019 Algorithm Parameters: the resolved configuration as JSON, prefixed so a reader knows what it is. */
export function featureParameterItem(config: FeatureConfig): NaturalDataset {
  const json = JSON.stringify(config);
  return text('HAS CONCEPT MOD', FEATURE_CONCEPT.algorithmParameters, `IBSI feature configuration ${json}`);
}

/** Intensity-valued features take the image's unit: HU for CT, "no units" for anything without a physical scale. */
function intensityUnit(modality: string): CodedConcept {
  return modality === 'CT' ? UNIT.hu : { scheme: 'UCUM', value: '1', meaning: 'no units' };
}

function ibsiCode(f: Feature): CodedConcept {
  return { scheme: IBSI_CODING_SCHEME.CodingSchemeDesignator, value: f.id, meaning: f.name };
}
