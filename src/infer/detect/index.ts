// Detection post-processing: model output → thresholded, NMS'd boxes in source pixels (and their slice).
import type { Box, Detection, DetectionOptions, ToSourcePoint } from './types.js';
import { decodeOutput } from './decode.js';
import { selectBoxes } from './nms.js';
import { DetectError } from './errors.js';

export type * from './types.js';
export { DetectError, type DetectErrorCode } from './errors.js';
export { decodeOutput } from './decode.js';
export { selectBoxes, iou } from './nms.js';

export interface MapBack {
  /** model-input pixel → source pixel (undo letterbox and resize) */
  toSourcePoint: ToSourcePoint;
  /** per-slice models: the source slice index of each batch item; its length must equal the batch size */
  slices?: readonly number[];
  /** source image size: boxes are clipped to it (a box reaching into letterbox padding ends at the image edge) */
  columns?: number; rows?: number;
}

/**
 * Pure: decodes the output tensor with the manifest's options, NMS'es `yolo` rows (`xyxy-score-class` rows come
 * NMS'd from the model), applies the per-class operating points and maxBoxes per batch item, and maps each box's
 * corners back to source pixels. Boxes that vanish after clipping (entirely in the padding) are dropped.
 */
export function postprocessDetections(
  data: ArrayLike<number>, dims: readonly number[], options: DetectionOptions, map: MapBack,
): Detection[] {
  const perItem = decodeOutput(data, dims, options);
  if (map.slices ? map.slices.length !== perItem.length : perItem.length !== 1) {
    throw new DetectError('DETECT_BATCH',
      `output holds ${perItem.length} batch items for ${map.slices ? `${map.slices.length} slices` : 'one image'}`);
  }
  const out: Detection[] = [];
  perItem.forEach((c, b) => {
    for (const i of selectBoxes(c, options, options.layout === 'yolo')) {
      const box = toSource({ x1: c.x1[i], y1: c.y1[i], x2: c.x2[i], y2: c.y2[i] }, map);
      if (!box) continue;
      const classIndex = c.classIndex[i];
      out.push({ classIndex, code: options.classes[classIndex].code, score: c.score[i], box,
        ...(map.slices ? { slice: map.slices[b] } : {}) });
    }
  });
  return out;
}

function toSource(b: Box, map: MapBack): Box | null {
  const a = map.toSourcePoint({ x: b.x1, y: b.y1 });
  const z = map.toSourcePoint({ x: b.x2, y: b.y2 });
  const clip = (v: number, max?: number) => (max === undefined ? v : Math.min(Math.max(v, 0), max));
  const box = {
    x1: clip(Math.min(a.x, z.x), map.columns), y1: clip(Math.min(a.y, z.y), map.rows),
    x2: clip(Math.max(a.x, z.x), map.columns), y2: clip(Math.max(a.y, z.y), map.rows),
  };
  return box.x2 > box.x1 && box.y2 > box.y1 ? box : null;
}
