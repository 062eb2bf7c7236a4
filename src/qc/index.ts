// Quality check of a model's result against the plausibility checks its manifest declares (README "Quality checks").
export { checkResult } from './checks.js';
export { componentSizes } from './components.js';
export {
  QC_FAILED, QcError, type QcCheckName, type QcErrorCode, type QcInput, type QcLabelMap, type QcMeasurement,
  type QcReason, type QcResult, type QcSegment, type QcState,
} from './types.js';
