// Detection post-processing types: the manifest's detection options, the map-back callback, and the boxes it yields.
import type { Code } from '../manifest.js';

/** One class the detector reports: its finding code and its operating point (a box below it is not reported). */
export interface DetectionClass { code: Code; threshold?: number }

/**
 * The manifest's detection options (field names fixed with the manifest schema). `xyxy-score-class`: rows
 * [x1, y1, x2, y2, score, class] already NMS'd by the model; `yolo`: raw rows [cx, cy, w, h, (objectness,) class
 * scores...] that this node filters and NMS'es. Coordinates are in model-input pixels.
 */
export interface DetectionOptions {
  layout: 'xyxy-score-class' | 'yolo';
  /** candidates below this score are dropped before NMS */
  scoreThreshold: number;
  /** a candidate overlapping an already kept box by more than this IoU is suppressed */
  iouThreshold: number;
  /** at most this many boxes per image (per slice), highest scores first */
  maxBoxes: number;
  /** true: boxes of different classes suppress each other too */
  classAgnostic: boolean;
  classes: DetectionClass[];
}

export interface Point { x: number; y: number }
/** Model-input pixel → source-image pixel (undoes letterbox and resize); both in the continuous pixel frame. */
export type ToSourcePoint = (p: Point) => Point;

/** A box in source pixels: (0,0) is the top-left corner of the top-left pixel, x along columns. */
export interface Box { x1: number; y1: number; x2: number; y2: number }

export interface Detection {
  classIndex: number;
  code: Code;
  score: number;
  box: Box;
  /** index of the source slice (per-slice models on a 3D series); absent for a 2D image */
  slice?: number;
}

/** A decoded candidate list, columns as typed arrays (10 000 raw boxes need no objects). */
export interface Candidates {
  count: number;
  x1: Float32Array; y1: Float32Array; x2: Float32Array; y2: Float32Array;
  score: Float32Array; classIndex: Int32Array;
}
