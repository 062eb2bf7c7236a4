// Quality checks on a model's result: the plausibility checks a manifest declares per segment (see README "Quality checks").
export { checkResult } from './checks.js';
export { componentSizes } from './components.js';
export {
  QC_FAILED, QcError, type QcCheckName, type QcErrorCode, type QcInput, type QcLabelMap, type QcMeasurement,
  type QcReason, type QcResult, type QcSegment, type QcState,
} from './types.js';
