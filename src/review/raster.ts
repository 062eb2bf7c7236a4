// One preview image: a plane of grey levels and segment memberships, painted (fill + outline per segment) and
// encoded as PNG by pngjs.
import { PNG } from 'pngjs';

export type Rgb = [number, number, number];

/** A plane at display resolution: grey 0..255 and, per pixel, a bit per segment (bit n = segment n). */
export interface Plane { width: number; height: number; grey: Uint8Array; members: Uint32Array }

/** Fill opacity: the anatomy under a segment stays readable; the outline carries the exact boundary. */
export const FILL_ALPHA = 0.35;

/**
 * Paints every segment's inside tinted with its colour (in order, a later one over an earlier one where they
 * overlap), then every boundary (a pixel up to `thickness` steps along a row or column from one outside the
 * segment or off the image) in full colour: outlines come last, so an overlapping fill never hides a boundary.
 */
export function paint(plane: Plane, colours: Rgb[]): Uint8Array {
  const { width, height, grey, members } = plane;
  const thickness = outlineThickness(width, height);
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = grey[p];
    rgba[4 * p + 3] = 255;
  }
  for (const outline of [false, true]) {
    colours.forEach((colour, s) => {
      const bit = 1 << s;
      const inside = (x: number, y: number) =>
        x >= 0 && y >= 0 && x < width && y < height && (members[y * width + x] & bit) !== 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!inside(x, y)) continue;
          const o = 4 * (y * width + x);
          if (!outline) for (let c = 0; c < 3; c++) rgba[o + c] = blend(rgba[o + c], colour[c]);
          else if (nearOutside(inside, x, y, thickness)) for (let c = 0; c < 3; c++) rgba[o + c] = colour[c];
        }
      }
    });
  }
  return rgba;
}

function blend(grey: number, colour: number): number {
  return Math.round(grey * (1 - FILL_ALPHA) + colour * FILL_ALPHA);
}

/** 1 px up to 383 px, 2 px for a 512 px image: a one-pixel line is lost when a browser scales the image down. */
export function outlineThickness(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 256));
}

function nearOutside(inside: (x: number, y: number) => boolean, x: number, y: number, thickness: number): boolean {
  for (let d = 1; d <= thickness; d++) {
    if (!inside(x - d, y) || !inside(x + d, y) || !inside(x, y - d) || !inside(x, y + d)) return true;
  }
  return false;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height, colorType: 2 });   // RGB: previews are opaque
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}
