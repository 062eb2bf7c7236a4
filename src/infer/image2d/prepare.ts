// One 2D image → the model's input tensor [C, H, W] and its ImageTransform: modality values → VOI (0..1) →
// MONOCHROME1 inverted → resized (letterbox or stretch) → channels replicated → per-channel mean/std.
import type { Image2dInput } from '../manifest.js';
import { applyVoi, greyTable, modalityValues } from './grey.js';
import { resampleToModel } from './resize.js';
import { pixelSpacingOf, planTransform, type TransformParams } from './transform.js';

/** The model's input size and channels, from its [N, C, H, W] tensor (validated to be fixed numbers). */
export interface ModelImageSize { channels: number; rows: number; columns: number }

export function modelImageSize(shape: Array<number | string>): ModelImageSize {
  return { channels: Number(shape[1]), rows: Number(shape[2]), columns: Number(shape[3]) };
}

/** A source image, row-major: its stored integer samples (a decoded frame) or its modality values (a slice of a
 *  loaded series), and its header for the modality LUT, window, photometric and spacing. */
export type SourceImage = { rows: number; columns: number; dataset: Record<string, unknown> }
  & ({ stored: ArrayLike<number>; values?: undefined } | { values: Float32Array; stored?: undefined });

/**
 * Writes the image's tensor into `out` (C × H × W floats, e.g. one slot of a batch) and returns the transform.
 * `image.values` (modality values) are windowed in place: pass a copy if they are needed afterwards.
 */
export function prepareImage(image: SourceImage, spec: Image2dInput, size: ModelImageSize,
  out: Float32Array): TransformParams {
  const photometric = String(image.dataset.PhotometricInterpretation ?? 'MONOCHROME2').trim();
  const inverted = photometric === 'MONOCHROME1';
  // stored samples: looked up in a grey table while resampling; modality values (or 32-bit data): windowed in place
  const table = image.stored ? greyTable(image.stored, image.dataset, spec.window, inverted) : undefined;
  const values = table || !image.stored ? image.values : modalityValues(image.stored, image.dataset);
  const voi = table ? table.voi : applyVoi(values!, image.dataset, spec.window, inverted);
  const plan = planTransform(image, size, spec.resize);
  const transform: TransformParams = { ...plan, spacing: pixelSpacingOf(image.dataset), voi, inverted };
  const plane = size.rows * size.columns;
  const first = out.subarray(0, plane);
  resampleToModel(table ? image.stored! : values!, transform, spec.padValue ?? 0, first, table);
  for (let c = size.channels - 1; c >= 0; c--) {
    const mean = spec.mean?.[c] ?? 0;
    const inv = 1 / (spec.std?.[c] ?? 1);
    const target = out.subarray(c * plane, (c + 1) * plane);
    for (let p = 0; p < plane; p++) target[p] = (first[p]! - mean) * inv; // channel 0 last: the others read it first
  }
  return transform;
}
