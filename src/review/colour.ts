// DICOM CIELab (RecommendedDisplayCIELabValue, 0..65535 each) → sRGB 0..255: the inverse of encode/colour.ts, so a
// preview shows a stored SEG's segments in the colours a viewer would use.
import type { Rgb } from './raster.js';

const WHITE_D65 = [0.950456, 1.0, 1.088754];

/** Colours for segments that recommend none (distinct hues, readable over grey). */
export const FALLBACK_COLOURS: Rgb[] = [
  [230, 80, 60], [60, 160, 230], [90, 200, 90], [240, 200, 40], [200, 90, 220], [40, 210, 200],
];

export function dicomLabToRgb([l, a, b]: [number, number, number]): Rgb {
  const L = (l * 100) / 65535;
  const A = (a * 255) / 65535 - 128;
  const B = (b * 255) / 65535 - 128;
  const fy = (L + 16) / 116;
  const xyz = [fy + A / 500, fy, fy - B / 200].map((f, i) => labFInverse(f) * WHITE_D65[i]);
  const linear = [
    3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2],
    -0.969266 * xyz[0] + 1.8760108 * xyz[1] + 0.041556 * xyz[2],
    0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2],
  ];
  return linear.map((v) => {
    const c = Math.min(Math.max(v, 0), 1);
    const s = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;   // the sRGB transfer curve
    return Math.round(s * 255);
  }) as Rgb;
}

function labFInverse(f: number): number {
  const delta = 6 / 29;
  return f > delta ? f ** 3 : 3 * delta * delta * (f - 4 / 29);
}
