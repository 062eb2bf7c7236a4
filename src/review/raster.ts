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
 * overlap), then every boundary (a pixel with a 4-neighbour outside the segment or off the image) in full colour:
 * outlines come last, so an overlapping fill never hides a boundary.
 */
export function paint(plane: Plane, colours: Rgb[]): Uint8Array {
  const { width, height, grey, members } = plane;
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[4 * p] = rgba[4 * p + 1] = rgba[4 * p + 2] = grey[p];
    rgba[4 * p + 3] = 255;
  }
  for (const outline of [false, true]) {
    colours.forEach((colour, s) => {
      const bit = 1 << s;
      const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && (members[y * width + x] & bit) !== 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!inside(x, y)) continue;
          const edge = !inside(x - 1, y) || !inside(x + 1, y) || !inside(x, y - 1) || !inside(x, y + 1);
          const o = 4 * (y * width + x);
          if (outline && edge) for (let c = 0; c < 3; c++) rgba[o + c] = colour[c];
          if (!outline) for (let c = 0; c < 3; c++) rgba[o + c] = Math.round(rgba[o + c] * (1 - FILL_ALPHA) + colour[c] * FILL_ALPHA);
        }
      }
    });
  }
  return rgba;
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height, colorType: 2 });   // RGB: previews are opaque
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}
