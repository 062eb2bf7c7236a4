// Which grey-level window a preview uses, and the mapping of values through it (PS3.3 C.11.2.1.2, linear).
import type { Code } from '../encode/types.js';

export interface DisplayWindow { center: number; width: number }

/** Lung window: aerated lung, airways and vessels stay apart; the body wall is bright. */
export const LUNG_WINDOW: DisplayWindow = { center: -600, width: 1500 };
/** Soft-tissue (abdomen) window: organs, fat and fluid apart; air black, bone white. */
export const SOFT_TISSUE_WINDOW: DisplayWindow = { center: 40, width: 400 };

const LUNG_CODE = '39607008';   // SCT Lung

export interface WindowedSegment { label: string; type?: Code; voxels: number }

/**
 * The window a reviewer needs to judge the overlay: with a lung-like segment that has voxels, a lung window (a
 * lung mask can only be judged where the lung parenchyma is visible); otherwise soft tissue. Non-CT values (no
 * HU) get a window spanning their 1st to 99th percentile.
 */
export function chooseWindow(segments: WindowedSegment[], modality: string | undefined, values: ArrayLike<number>,
  rescale: (v: number) => number): DisplayWindow {
  if (modality !== undefined && modality !== 'CT') return percentileWindow(values, rescale);
  const lungLike = segments.some((s) => s.voxels > 0 && (s.type?.value === LUNG_CODE || /lung/i.test(s.label)));
  return lungLike ? LUNG_WINDOW : SOFT_TISSUE_WINDOW;
}

/** Grey level 0..255 of a value: linear ramp over [center − width/2, center + width/2], clamped. */
export function greyLevel(value: number, w: DisplayWindow): number {
  const lo = w.center - w.width / 2;
  const g = ((value - lo) / w.width) * 255;
  return g <= 0 ? 0 : g >= 255 ? 255 : Math.round(g);
}

/** 1st–99th percentile of up to ~100 000 evenly picked values (enough for a display window). */
function percentileWindow(values: ArrayLike<number>, rescale: (v: number) => number): DisplayWindow {
  const step = Math.max(1, Math.floor(values.length / 100_000));
  const picked: number[] = [];
  for (let n = 0; n < values.length; n += step) picked.push(rescale(values[n]));
  picked.sort((a, b) => a - b);
  const lo = picked[Math.floor(picked.length * 0.01)] ?? 0;
  const hi = picked[Math.floor(picked.length * 0.99)] ?? 1;
  return { center: (lo + hi) / 2, width: Math.max(hi - lo, 1) };
}
