// Geometric primitives the phantoms are drawn with, in patient mm (LPS: x to the left, y to the back, z up).

export type Point = [number, number, number];

/** Normalised radius in an axis-aligned ellipsoid: < 1 inside. */
export function ellipsoid(x: number, y: number, z: number, c: Point, r: Point): number {
  return Math.hypot((x - c[0]) / r[0], (y - c[1]) / r[1], (z - c[2]) / r[2]);
}

/** Normalised radius in an axial ellipse (an elliptic cylinder along z): < 1 inside. */
export function ellipse(x: number, y: number, cx: number, cy: number, ax: number, by: number): number {
  return Math.hypot((x - cx) / ax, (y - cy) / by);
}

/** Distance from a point to the segment a–b (a capsule of radius r is distance < r). */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const ap = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
  const t = Math.max(0, Math.min(1, (ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2));
  return Math.hypot(ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]);
}
