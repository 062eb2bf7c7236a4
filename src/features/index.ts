// IBSI radiomics features of one region of interest: morphology, local intensity, intensity statistics, intensity
// histogram and texture (GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM), as pure functions of the image and its mask.
// The computation itself is in measure.ts, which worker threads import directly so they never load the validator.
export * from './types.js';
export type { Discretisation } from './discretise.js';
export { ARBITRARY_UNIT_FEATURE_DEFAULTS, CT_FEATURE_DEFAULTS, resolveFeatureConfig, type FeatureConfig,
  type ResamplingConfig } from './config.js';
export { prepareRoi } from './prepare.js';
export { IBSI_CODING_SCHEME, featureConcept, featureUnit, type CodedConcept } from './codes.js';
export { ALL_FAMILIES, computeFeatures, measureRoi, type FeatureSelection } from './measure.js';
