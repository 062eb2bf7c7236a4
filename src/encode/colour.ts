// sRGB → DICOM CIELab (PS3.3 C.10.7.1.1): L* 0..100 and a*, b* −128..127 scaled to 0..65535, D65 white as DCMTK uses.

const WHITE_D65 = [0.950456, 1.0, 1.088754];

export function rgbToDicomLab([r, g, b]: [number, number, number]): [number, number, number] {
  const [R, G, B] = [r, g, b].map((c) => {
    const v = Math.min(Math.max(c, 0), 255) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;   // undo the sRGB transfer curve
  });
  const xyz = [
    0.4124564 * R + 0.3575761 * G + 0.1804375 * B,
    0.2126729 * R + 0.7151522 * G + 0.072175 * B,
    0.0193339 * R + 0.119192 * G + 0.9503041 * B,
  ];
  const [fx, fy, fz] = xyz.map((v, i) => labF(v / WHITE_D65[i]));
  const L = 116 * fy - 16;
  const a = 500 * (fx - fy);
  const bStar = 200 * (fy - fz);
  return [scale(L, 0, 100), scale(a, -128, 127), scale(bStar, -128, 127)];
}

function labF(t: number): number {
  const delta = 6 / 29;
  return t > delta ** 3 ? Math.cbrt(t) : t / (3 * delta * delta) + 4 / 29;
}

/** Maps [lo, hi] onto 0..65535 as DICOM asks (a*, b*: (v + 128) · 65535 / 255). */
function scale(v: number, lo: number, hi: number): number {
  const clamped = Math.min(Math.max(v, lo), hi);
  return Math.round(((clamped - lo) * 65535) / (hi - lo));
}
