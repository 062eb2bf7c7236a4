// The one JSON schema for rule sets: the rules file read at startup and every API write go through it.
import { segmentChecksSchema } from '../infer/segment-checks.js';

const operators = ['equals', 'notEquals', 'in', 'contains', 'startsWith', 'matches', '<', '<=', '>', '>=', 'exists',
  'missing'];
const scalar = { type: ['string', 'number'] };
const destinations = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };

/**
 * A condition node has no discriminating property, so the branch is chosen by which key is present
 * (if/then/else) rather than oneOf: errors then come from the one branch the author meant, with its path.
 */
const conditionNode = {
  type: 'object',
  if: { required: ['all'] },
  then: { properties: { all: { type: 'array', items: { $ref: '#/$defs/node' } } }, additionalProperties: false },
  else: {
    if: { required: ['any'] },
    then: { properties: { any: { type: 'array', items: { $ref: '#/$defs/node' }, minItems: 1 } },
      additionalProperties: false },
    else: {
      if: { required: ['not'] },
      then: { properties: { not: { $ref: '#/$defs/node' } }, additionalProperties: false },
      else: {
        if: { required: ['Finding'] },
        then: { properties: { Finding: { $ref: '#/$defs/finding' } }, additionalProperties: false },
        else: { $ref: '#/$defs/condition' },
      },
    },
  },
};

const condition = {
  type: 'object',
  required: ['attribute', 'op'],
  additionalProperties: false,
  properties: {
    attribute: { type: 'string', minLength: 1, maxLength: 64 },
    op: { enum: operators },
    value: { oneOf: [scalar, { type: 'array', items: scalar, minItems: 1 }] },
    caseSensitive: { type: 'boolean' },
  },
};

/** Finding: a finding of an earlier result (types.ts FindingCondition); scores are probabilities, 0..1. */
const finding = {
  type: 'object',
  required: ['model', 'code'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1 },
    code: {
      type: 'object', required: ['scheme', 'value'], additionalProperties: false,
      properties: { scheme: { type: 'string', minLength: 1, maxLength: 16 },
        value: { type: 'string', minLength: 1, maxLength: 64 }, meaning: { type: 'string' } },
    },
    present: { type: 'boolean' },
    minScore: { type: 'number', minimum: 0, maximum: 1 },
  },
};

const seriesSelector = {
  type: 'object',
  required: ['pick'],
  additionalProperties: false,
  properties: { where: { $ref: '#/$defs/node' }, pick: { enum: ['all', 'thinnest', 'mostInstances', 'first'] } },
};

/** The external action's checks of the returned SEG (types.ts ExternalQc): a manifest segment's checks, reused.
 *  At most 32 segments: the checks' label map gives each combination of overlapping segments one value. */
const externalQc = {
  type: 'object', required: ['segments'], additionalProperties: false,
  properties: {
    segments: {
      type: 'array', minItems: 1, maxItems: 32,
      items: {
        type: 'object', required: ['label', 'checks'], additionalProperties: false,
        properties: {
          label: { type: 'string', minLength: 1, maxLength: 64 }, checks: segmentChecksSchema,
          type: {
            type: 'object', required: ['scheme', 'value'], additionalProperties: false,
            properties: { scheme: { type: 'string', minLength: 1, maxLength: 16 },
              value: { type: 'string', minLength: 1, maxLength: 64 }, meaning: { type: 'string' } },
          },
        },
      },
    },
  },
};

/** Actions are told apart by `type` (ajv's discriminator), so a bad runModel reports runModel's errors only. */
const action = {
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      properties: {
        type: { const: 'runModel' }, model: { type: 'string', minLength: 1 },
        series: { $ref: '#/$defs/seriesSelector' },
        outputs: { type: 'array', items: { enum: ['SEG', 'SR'] }, uniqueItems: true }, destinations,
        review: { enum: ['none', 'required'] }, onQcFail: { enum: ['review', 'discard'] },
      },
      required: ['type', 'model', 'series', 'outputs', 'destinations'],
      additionalProperties: false,
    },
    { properties: { type: { const: 'forward' }, destinations }, required: ['type', 'destinations'],
      additionalProperties: false },
    {
      properties: {
        type: { const: 'measure' }, segmentation: { $ref: '#/$defs/seriesSelector' },
        features: { type: 'object' }, // checked by resolveFeatureConfig (semantics.ts), every problem with its path
        destinations,
      },
      required: ['type', 'destinations'], additionalProperties: false,
    },
    {
      properties: {
        type: { const: 'external' }, service: { type: 'string', minLength: 1 },
        series: { $ref: '#/$defs/seriesSelector' }, destinations,
        profile: { type: 'object' }, // checked by resolveProfile (semantics.ts), every bad option named
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0 }, review: { enum: ['none', 'required'] },
        qc: externalQc, onQcFail: { enum: ['review', 'discard'] },
      },
      required: ['type', 'service', 'series', 'destinations'], additionalProperties: false,
    },
    { properties: { type: { const: 'discard' } }, required: ['type'], additionalProperties: false },
  ],
};

const rule = {
  $id: 'rule',
  type: 'object',
  required: ['id', 'name', 'enabled', 'priority', 'actions', 'then'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 2000 },
    enabled: { type: 'boolean' },
    priority: { type: 'integer' },
    when: { $ref: '#/$defs/node' },
    actions: { type: 'array', items: { $ref: '#/$defs/action' }, minItems: 1 },
    then: { enum: ['stop', 'continue'] },
  },
  $defs: { node: conditionNode, condition, finding, seriesSelector, action },
};

export const ruleSchema = rule;

export const ruleSetSchema = {
  $id: 'ruleSet',
  type: 'object',
  required: ['rules'],
  additionalProperties: false,
  properties: { rules: { type: 'array', items: { $ref: 'rule' } } },
};
