// The routing rules engine: validate rule sets (one schema for every path), evaluate them on a study, explain.
export type * from './types.js';
export { validateRuleSet, validateRule, type RuleSetValidation, type RuleValidation, type KnownIds }
  from './validate.js';
export { evaluateRules } from './evaluate.js';
export { diffDecisions, describeAction, type DecisionDiff } from './explain.js';
export { ruleSetSchema, ruleSchema } from './schema.js';
export { REPLY_TO_SENDER } from './semantics.js';
export { MAX_PATTERN_LENGTH, MAX_TESTED_CHARACTERS } from './regex-guard.js';
