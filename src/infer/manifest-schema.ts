// JSON schema for model.json and the validator that names every error by its JSON path.
import { Ajv } from 'ajv';
import { resolveFeatureConfig } from '../features/config.js';
import { isSegmentationModel, type ModelManifest, type SegmentationManifest } from './manifest.js';
import { segmentChecksSchema, segmentChecksProblems } from './segment-checks.js';
import { classificationSchema, detectionSchema, inputSchema, kindErrors, withKindDefaults } from './manifest-kinds.js';

const code = {
  type: 'object', additionalProperties: false, required: ['scheme', 'value', 'meaning'],
  properties: { scheme: { type: 'string', minLength: 1 }, value: { type: 'string', minLength: 1 },
    meaning: { type: 'string', minLength: 1 } },
};
const dim = { oneOf: [{ type: 'integer', minimum: 1 }, { type: 'string', minLength: 1 }] };
const tensor = {
  type: 'object', required: ['name', 'dtype', 'shape'],
  properties: {
    name: { type: 'string', minLength: 1 },
    dtype: { enum: ['float32', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool'] },
    shape: { type: 'array', items: dim, minItems: 1 },
  },
};
const triple = { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 3, maxItems: 3 };
const intensityStep = {
  type: 'object', required: ['op'],
  oneOf: [
    { properties: { op: { const: 'clip' }, min: { type: 'number' }, max: { type: 'number' } },
      required: ['min', 'max'] },
    { properties: { op: { const: 'scaleShift' }, scale: { type: 'number' }, shift: { type: 'number' } },
      required: ['scale', 'shift'] },
    { properties: { op: { const: 'zscore' }, mean: { type: 'number' }, std: { type: 'number', exclusiveMinimum: 0 } } },
  ],
};
const segment = {
  type: 'object', additionalProperties: false,
  required: ['labelValues', 'label', 'category', 'type', 'colorRgb', 'measurements'],
  properties: {
    labelValues: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 255 }, minItems: 1 },
    label: { type: 'string', minLength: 1, maxLength: 64 },
    category: code, type: code, typeModifier: code,
    colorRgb: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 }, minItems: 3, maxItems: 3 },
    measurements: { type: 'array', items: { enum: ['volume', 'mean', 'stdDev', 'min', 'max'] }, uniqueItems: true },
    checks: segmentChecksSchema,
    features: { oneOf: [{ const: true }, { type: 'object' }] }, // the object is checked by resolveFeatureConfig
  },
};

// Remote inference (src/infer/kserve): a KServe v2 server runs the network; pre/post-processing stay here.
const backend = {
  type: 'object', additionalProperties: false, required: ['type', 'url', 'model', 'protocol', 'timeoutMs'],
  properties: {
    type: { const: 'kserve-v2' },
    url: { type: 'string', pattern: '^(https?://)?[^\\s/]+(/\\S*)?$' },
    model: { type: 'string', pattern: '^[^/\\s]+$' }, version: { type: 'string', pattern: '^[^/\\s]+$' },
    protocol: { enum: ['http', 'grpc'] },
    timeoutMs: { type: 'integer', minimum: 1 }, maxBatch: { type: 'integer', minimum: 1 },
    retries: { type: 'integer', minimum: 0, maximum: 10 },
    readinessIntervalSeconds: { type: 'number', exclusiveMinimum: 0 },
    circuitFailures: { type: 'integer', minimum: 1 }, circuitCoolDownSeconds: { type: 'number', exclusiveMinimum: 0 },
    json: { type: 'boolean' },
  },
};

export const manifestSchema = {
  type: 'object',
  // preprocessing, postprocessing and segments are required by task (manifest-kinds.ts)
  required: ['id', 'version', 'sha256', 'description', 'intendedUse', 'clinical', 'applicability', 'inputs', 'outputs',
    'inference', 'executionProviders', 'timeoutMs', 'maxConcurrent', 'algorithm'],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*$' },
    task: { enum: ['segmentation', 'classification', 'detection'] },
    input: inputSchema, classification: classificationSchema, detection: detectionSchema,
    version: { type: 'string', minLength: 1 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    description: { type: 'string' }, intendedUse: { type: 'string' }, clinical: { type: 'boolean' },
    applicability: {
      type: 'object', required: ['modalities'],
      properties: {
        modalities: { type: 'array', items: { type: 'string' }, minItems: 1 },
        minSlices: { type: 'integer', minimum: 1 }, maxSliceSpacing: { type: 'number', exclusiveMinimum: 0 },
        bodyParts: { type: 'array', items: { type: 'string' } },
      },
    },
    inputs: { type: 'array', items: tensor, minItems: 1, maxItems: 1 },
    outputs: {
      type: 'array', minItems: 1, maxItems: 1,
      items: { ...tensor, required: [...tensor.required, 'kind'],
        properties: { ...tensor.properties, kind: { enum: ['logits', 'probabilities', 'labelmap', 'boxes'] } } },
    },
    preprocessing: {
      type: 'object', required: ['spatialAxes', 'orientation', 'targetSpacing', 'interpolation', 'intensity'],
      properties: {
        spatialAxes: { enum: ['kji', 'ijk'] }, orientation: { enum: ['LPS', 'RAS'] },
        targetSpacing: { oneOf: [triple, { type: 'null' }] }, interpolation: { enum: ['trilinear', 'nearest'] },
        intensity: { type: 'array', items: intensityStep },
      },
    },
    inference: {
      type: 'object', required: ['mode'],
      properties: {
        mode: { enum: ['whole', 'slidingWindow', 'perSlice'] },
        roi: { type: 'array', items: { type: 'integer', minimum: 1 }, minItems: 3, maxItems: 3 },
        overlap: { type: 'number', minimum: 0, exclusiveMaximum: 1 }, blending: { enum: ['gaussian', 'constant'] },
        batch: { type: 'integer', minimum: 1 },
      },
      if: { properties: { mode: { const: 'slidingWindow' } } }, then: { required: ['roi'] },
    },
    executionProviders: { type: 'array', items: { enum: ['cuda', 'tensorrt', 'dml', 'coreml', 'cpu'] }, minItems: 1 },
    intraOpNumThreads: { type: 'integer', minimum: 1 },
    timeoutMs: { type: 'integer', minimum: 1 },
    maxConcurrent: { type: 'integer', minimum: 1, maximum: 16 },
    postprocessing: {
      type: 'object', required: ['activation', 'discretize'],
      properties: {
        activation: { enum: ['softmax', 'sigmoid', 'none'] }, discretize: { enum: ['argmax', 'threshold', 'none'] },
        threshold: { type: 'number' },
      },
    },
    segments: { type: 'array', items: segment, minItems: 1 },
    algorithm: {
      type: 'object', required: ['name', 'version', 'family'],
      properties: { name: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 }, family: code },
    },
    backend,
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(manifestSchema);

/** Validates a parsed model.json; returns the manifest or every problem as "<json path>: <message>". */
export function validateManifest(value: unknown): { manifest: ModelManifest; errors: [] }
  | { manifest?: undefined; errors: string[] } {
  if (!validate(value)) {
    return { errors: (validate.errors ?? []).map((e) =>
      `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${unknownName(e.params)}`) };
  }
  const manifest = withKindDefaults(value as unknown as ModelManifest);
  const errors = kindErrors(manifest, new Set(Object.keys(value as object)));
  if (isSegmentationModel(manifest) && errors.length === 0) {
    errors.push(...crossFieldErrors(manifest), ...checksErrors(manifest.segments), ...featureErrors(manifest.segments));
  }
  return errors.length ? { errors } : { manifest, errors: [] };
}

/** Rules a JSON schema cannot say well: a label map cannot be blended, and a threshold needs its value. */
function crossFieldErrors(m: SegmentationManifest): string[] {
  const errors: string[] = [];
  if (m.outputs[0].kind === 'labelmap' && m.inference.mode !== 'whole') {
    errors.push('/inference/mode: a labelmap output cannot be blended across windows; use "whole"');
  }
  if (m.outputs[0].kind === 'labelmap' && m.postprocessing.discretize !== 'none') {
    errors.push('/postprocessing/discretize: must be "none" for a labelmap output');
  }
  if (m.outputs[0].kind !== 'labelmap' && m.postprocessing.discretize === 'none') {
    errors.push('/postprocessing/discretize: logits and probabilities need "argmax" or "threshold"');
  }
  if (m.postprocessing.discretize === 'threshold' && m.postprocessing.threshold === undefined) {
    errors.push('/postprocessing/threshold: required when discretize is "threshold"');
  }
  if (m.inputs[0].dtype !== 'float32') errors.push('/inputs/0/dtype: the image input must be float32');
  if (m.inputs[0].shape.length !== 5) errors.push(
    '/inputs/0/shape: the image input must have rank 5 [N, C, spatial×3]');
  return errors;
}

/** A misspelt key is named, so "volumeML" is not reported as a bare "must NOT have additional properties". */
function unknownName(params: Record<string, unknown>): string {
  return typeof params.additionalProperty === 'string' ? ` ("${params.additionalProperty}")` : '';
}

/** Checks must name a segment of the same model, not the segment itself, and keep min ≤ max. */
function checksErrors(segments: ModelManifest['segments']): string[] {
  return segmentChecksProblems(segments, (i) => `/segments/${i}/checks`, 'this model')
    .map((p) => `${p.path}: ${p.message}`);
}

/** A segment's feature configuration, validated over the CT defaults; every problem under its segment's path. */
function featureErrors(segments: ModelManifest['segments']): string[] {
  return segments.flatMap((s, i) => {
    if (s.features === undefined) return [];
    const resolved = resolveFeatureConfig(s.features === true ? {} : s.features);
    if (resolved.ok) return [];
    return resolved.problems.map((p) => `/segments/${i}/features${p.path === '/' ? '' : p.path}: ${p.message}`);
  });
}
