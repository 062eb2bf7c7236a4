// Schema fragments of the non-segmentation kinds (2D image inputs, classification and detection outputs) and the
// cross-field rules a JSON schema cannot say (sizes from the input tensor, classes vs output channels).
import type { Image2dInput, ModelManifest } from './manifest.js';

const code = {
  type: 'object', additionalProperties: false, required: ['scheme', 'value', 'meaning'],
  properties: { scheme: { type: 'string', minLength: 1 }, value: { type: 'string', minLength: 1 },
    meaning: { type: 'string', minLength: 1 } },
};
const unit = { type: 'number', minimum: 0, maximum: 1 };
const findingClass = {
  type: 'object', additionalProperties: false, required: ['code', 'threshold'], properties: { code, threshold: unit },
};
const perChannel = { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 4 };

export const inputSchema = {
  type: 'object', required: ['kind'],
  oneOf: [
    { type: 'object', additionalProperties: false, properties: { kind: { const: 'volume' } } },
    {
      type: 'object', additionalProperties: false, required: ['kind', 'window', 'resize'],
      properties: {
        kind: { const: 'image2d' },
        window: {
          type: 'object', required: ['source'],
          oneOf: [
            { type: 'object', additionalProperties: false, properties: { source: { const: 'header' } } },
            {
              type: 'object', additionalProperties: false, required: ['source', 'center', 'width'],
              properties: { source: { const: 'fixed' }, center: { type: 'number' },
                width: { type: 'number', exclusiveMinimum: 0 } },
            },
          ],
        },
        resize: { enum: ['letterbox', 'stretch'] },
        padValue: unit,
        mean: perChannel,
        std: { ...perChannel, items: { type: 'number', exclusiveMinimum: 0 } },
        frame: { type: 'integer', minimum: 1 },
      },
    },
  ],
};

export const classificationSchema = {
  type: 'object', additionalProperties: false, required: ['activation', 'classes'],
  properties: { activation: { enum: ['softmax', 'sigmoid', 'none'] },
    classes: { type: 'array', items: findingClass, minItems: 1 } },
};

export const detectionSchema = {
  type: 'object', additionalProperties: false,
  required: ['layout', 'scoreThreshold', 'iouThreshold', 'maxBoxes', 'classAgnostic', 'classes'],
  properties: {
    layout: { enum: ['xyxy-score-class', 'yolo'] }, scoreThreshold: unit, iouThreshold: unit,
    maxBoxes: { type: 'integer', minimum: 1 }, classAgnostic: { type: 'boolean' },
    classes: { type: 'array', items: findingClass, minItems: 1 },
  },
};

/** The file as parsed: task and input may be missing (a segmentation model written before they existed). */
type Parsed = Omit<ModelManifest, 'task' | 'input' | 'segments'>
  & Partial<Pick<ModelManifest, 'task' | 'input' | 'segments'>>;

/** Fills in the defaults: a manifest without task is a volume segmentation model, as every manifest was before. */
export function withKindDefaults(m: Parsed): ModelManifest {
  return { ...m, task: m.task ?? 'segmentation', input: m.input ?? { kind: 'volume' }, segments: m.segments ?? [] };
}

/** What each task needs besides the common fields, and how its input tensor must look. */
export function kindErrors(m: ModelManifest, present: Set<string>): string[] {
  const errors: string[] = [];
  const need = (key: string, why: string) => { if (!present.has(key)) errors.push(`/${key}: required ${why}`); };
  const forbid = (key: string, why: string) => { if (present.has(key)) errors.push(`/${key}: not allowed ${why}`); };
  if (m.task === 'segmentation') {
    for (const key of ['preprocessing', 'postprocessing', 'segments']) need(key, 'for a segmentation model');
    if (m.input.kind !== 'volume') errors.push('/input/kind: a segmentation model takes a volume');
    if (m.inference.mode === 'perSlice') errors.push('/inference/mode: perSlice needs an image2d input');
    forbid('classification', 'for a segmentation model');
    forbid('detection', 'for a segmentation model');
    return errors;
  }
  const why = `for a ${m.task} model`;
  need(m.task, why);
  forbid(m.task === 'classification' ? 'detection' : 'classification', why);
  for (const key of ['preprocessing', 'postprocessing', 'segments']) forbid(key,
    `${why} (2D preprocessing is in /input)`);
  if (m.input.kind !== 'image2d')
    return [...errors, `/input/kind: a ${m.task} model takes "image2d" (volume inputs are segmentation only)`];
  if (m.inference.mode === 'slidingWindow') errors.push(
    '/inference/mode: an image2d model runs "whole" (one image) or "perSlice"');
  return [...errors, ...image2dTensorErrors(m, m.input), ...outputErrors(m)];
}

/** [N, C, H, W] with C 1 or 3 and fixed H and W: the size every image is resized to. */
function image2dTensorErrors(m: ModelManifest, input: Image2dInput): string[] {
  const shape = m.inputs[0].shape;
  if (shape.length !== 4) return ['/inputs/0/shape: an image2d input must have rank 4 [N, C, H, W]'];
  const errors: string[] = [];
  const [, c, h, w] = shape;
  if (c !== 1 && c !== 3) errors.push('/inputs/0/shape/1: the channel count must be 1 or 3 (greyscale replicated)');
  if (typeof h !== 'number') errors.push('/inputs/0/shape/2: the model height must be a fixed number');
  if (typeof w !== 'number') errors.push('/inputs/0/shape/3: the model width must be a fixed number');
  for (const key of ['mean', 'std'] as const) {
    const values = input[key];
    if (values && (c === 1 || c === 3) && values.length !== c) {
      errors.push(`/input/${key}: has ${values.length} values, the input has ${c} channels`);
    }
  }
  return errors;
}

function outputErrors(m: ModelManifest): string[] {
  const errors: string[] = [];
  const out = m.outputs[0];
  if (m.task === 'classification' && m.classification) {
    const { activation, classes } = m.classification;
    if (out.kind !== 'logits' && out.kind !== 'probabilities') errors.push(
      '/outputs/0/kind: a classifier gives "logits" or "probabilities"');
    if (out.kind === 'logits' && activation === 'none') errors.push(
      '/classification/activation: logits need "softmax" or "sigmoid"');
    if (out.kind === 'probabilities' && activation !== 'none') errors.push(
      '/classification/activation: probabilities need "none"');
    if (out.shape.length !== 2) errors.push('/outputs/0/shape: a classifier output must have rank 2 [N, classes]');
    else if (typeof out.shape[1] === 'number' && out.shape[1] !== classes.length) {
      errors.push(`/classification/classes: ${classes.length} classes, the output has ${out.shape[1]} channels`);
    }
  }
  if (m.task === 'detection' && out.kind !== 'boxes') errors.push('/outputs/0/kind: a detector gives "boxes"');
  return errors;
}
