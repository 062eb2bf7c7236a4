// Manifest validation of the model kinds: task, image2d input, perSlice, classification and detection outputs; good
// manifests load (with their defaults), every bad value is named by its JSON path.
import { describe, expect, it } from 'vitest';
import { validateManifest } from '../../../src/infer/manifest-schema.js';
import { testManifest } from './helpers.js';

const finding = (value: string, threshold = 0.5) =>
  ({ code: { scheme: 'SCT', value, meaning: `finding ${value}` }, threshold });

/** A 224² classifier of two classes on a radiograph, as a parsed model.json (no segmentation fields). */
function classifier(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { preprocessing: _p, postprocessing: _q, segments: _s, ...common } =
    testManifest('cls') as unknown as Record<string, unknown>;
  return {
    ...common, task: 'classification', applicability: { modalities: ['DX', 'CR'] },
    input: { kind: 'image2d', window: { source: 'header' }, resize: 'letterbox', mean: [0.5], std: [0.25] },
    inputs: [{ name: 'image', dtype: 'float32', shape: [1, 1, 224, 224] }],
    outputs: [{ name: 'scores', dtype: 'float32', shape: [1, 2], kind: 'logits' }],
    classification: { activation: 'softmax', classes: [finding('399348003'), finding('399067008', 0.7)] },
    ...overrides,
  };
}
function detector(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const { classification: _c, ...rest } = classifier();
  return {
    ...rest, task: 'detection',
    outputs: [{ name: 'boxes', dtype: 'float32', shape: [1, 'M', 6], kind: 'boxes' }],
    detection: { layout: 'xyxy-score-class', scoreThreshold: 0.25, iouThreshold: 0.45, maxBoxes: 100,
      classAgnostic: false, classes: [finding('72166000', 0.3)] },
    ...overrides,
  };
}
const errors = (m: unknown) => validateManifest(JSON.parse(JSON.stringify(m))).errors;

describe('manifest kinds', () => {
  it('a manifest without task or input is a volume segmentation model, as before', () => {
    const { task: _t, input: _i, ...old } = testManifest('seg') as unknown as Record<string, unknown>;
    const result = validateManifest(old);
    expect(result.errors).toEqual([]);
    expect(result.manifest?.task).toBe('segmentation');
    expect(result.manifest?.input).toEqual({ kind: 'volume' });
  });

  it('accepts a classifier and a detector on image2d, whole or perSlice, without segments', () => {
    expect(errors(classifier())).toEqual([]);
    expect(errors(classifier({ inference: { mode: 'perSlice', batch: 8 } }))).toEqual([]);
    expect(errors(detector())).toEqual([]);
    expect(errors(detector({ detection: { layout: 'yolo', scoreThreshold: 0.1, iouThreshold: 0.5, maxBoxes: 300,
      classAgnostic: true, classes: [finding('1')] } }))).toEqual([]);
    const m = validateManifest(classifier()).manifest!;
    expect(m.segments).toEqual([]);
    expect(m.input).toMatchObject({ kind: 'image2d', resize: 'letterbox' });
  });

  it('refuses a bad task, input kind, resize, window and pad value by path', () => {
    expect(errors(classifier({ task: 'regression' }))).toEqual(['/task: must be equal to one of the allowed values']);
    const bad = errors(classifier(
      { input: { kind: 'image2d', window: { source: 'fixed', center: 40 }, resize: 'crop', padValue: 2 } }));
    expect(bad).toContain("/input/window: must have required property 'width'");
    expect(bad).toContain('/input/resize: must be equal to one of the allowed values');
    expect(bad).toContain('/input/padValue: must be <= 1');
    expect(errors(classifier(
      { input: { kind: 'image2d', window: { source: 'fixed', center: 40, width: 0 }, resize: 'stretch' } })))
      .toContain('/input/window/width: must be > 0');
    expect(errors(classifier(
      { input: { kind: 'image2d', window: { source: 'header' }, resize: 'stretch', std: [0] } })))
      .toContain('/input/std/0: must be > 0');
  });

  it('refuses mean/std that do not match the channel count, and a tensor that is not [N, C, H, W] with fixed H, W',
    () => {
      expect(errors(classifier({ inputs: [{ name: 'image', dtype: 'float32', shape: [1, 3, 224, 224] }] })))
        .toEqual(['/input/mean: has 1 values, the input has 3 channels',
          '/input/std: has 1 values, the input has 3 channels']);
      expect(errors(classifier({ inputs: [{ name: 'image', dtype: 'float32', shape: [1, 2, 'H', 224] }] }))).toEqual([
        '/inputs/0/shape/1: the channel count must be 1 or 3 (greyscale replicated)',
        '/inputs/0/shape/2: the model height must be a fixed number',
      ]);
      expect(errors(classifier({ inputs: [{ name: 'image', dtype: 'float32', shape: [1, 1, 1, 224, 224] }] })))
        .toEqual(['/inputs/0/shape: an image2d input must have rank 4 [N, C, H, W]']);
    });

  it('needs the right parts for each task and refuses the others', () => {
    const { classification: _c, ...noOutputs } = classifier();
    expect(errors(noOutputs)).toEqual(['/classification: required for a classification model']);
    expect(errors(classifier({ segments: testManifest('x').segments }))).toEqual(
      ['/segments: not allowed for a classification model (2D preprocessing is in /input)']);
    expect(errors(classifier({ input: { kind: 'volume' } })))
      .toEqual(['/input/kind: a classification model takes "image2d" (volume inputs are segmentation only)']);
    expect(errors(classifier({ inference: { mode: 'slidingWindow', roi: [1, 1, 1] } })))
      .toEqual(['/inference/mode: an image2d model runs "whole" (one image) or "perSlice"']);
    expect(errors({ ...testManifest('seg'), inference: { mode: 'perSlice' } })).toEqual(
      ['/inference/mode: perSlice needs an image2d input']);
    expect(errors({ ...testManifest('seg'), detection: detector().detection })).toEqual(
      ['/detection: not allowed for a segmentation model']);
    const { segments: _s, ...noSegments } = testManifest('seg');
    expect(errors(noSegments)).toEqual(['/segments: required for a segmentation model']);
    expect(errors(detector({ classification: classifier().classification }))).toContain(
      '/classification: not allowed for a detection model');
  });

  it('refuses bad classification fields by path', () => {
    expect(errors(classifier({ classification: { activation: 'relu',
      classes: [finding('1', 1.5), { code: { scheme: 'SCT' }, threshold: 0.5 }] } })))
      .toEqual([
        '/classification/activation: must be equal to one of the allowed values',
        '/classification/classes/0/threshold: must be <= 1',
        "/classification/classes/1/code: must have required property 'value'",
        "/classification/classes/1/code: must have required property 'meaning'",
      ]);
    expect(errors(classifier({ classification: { activation: 'softmax', classes: [finding('1')] } })))
      .toEqual(['/classification/classes: 1 classes, the output has 2 channels']);
    expect(errors(classifier({ classification: { activation: 'none', classes: [finding('1'), finding('2')] } })))
      .toEqual(['/classification/activation: logits need "softmax" or "sigmoid"']);
    expect(errors(classifier({ outputs: [{ name: 'scores', dtype: 'float32', shape: [1, 2], kind: 'boxes' }] })))
      .toEqual(['/outputs/0/kind: a classifier gives "logits" or "probabilities"']);
    expect(errors(classifier(
      { outputs: [{ name: 'scores', dtype: 'float32', shape: [1, 2, 1], kind: 'probabilities' }] }))).toEqual([
      '/classification/activation: probabilities need "none"',
      '/outputs/0/shape: a classifier output must have rank 2 [N, classes]',
    ]);
  });

  it('refuses bad detection fields by path', () => {
    const bad = errors(detector(
      { detection: { layout: 'ssd', scoreThreshold: -0.1, iouThreshold: 2, maxBoxes: 0, classAgnostic: 'no',
      classes: [] } }));
    expect(bad).toEqual([
      '/detection/layout: must be equal to one of the allowed values', '/detection/scoreThreshold: must be >= 0',
      '/detection/iouThreshold: must be <= 1', '/detection/maxBoxes: must be >= 1',
      '/detection/classAgnostic: must be boolean', '/detection/classes: must NOT have fewer than 1 items',
    ]);
    const { detection: d } = detector() as { detection: Record<string, unknown> };
    const { maxBoxes: _m, ...noMax } = d;
    expect(errors(detector({ detection: noMax }))).toEqual(["/detection: must have required property 'maxBoxes'"]);
    expect(errors(detector({ detection: { ...d, nms: true } }))).toEqual(
      ['/detection: must NOT have additional properties ("nms")']);
    expect(errors(detector({ outputs: [{ name: 'boxes', dtype: 'float32', shape: [1, 'M', 6], kind: 'logits' }] })))
      .toEqual(['/outputs/0/kind: a detector gives "boxes"']);
  });
});
