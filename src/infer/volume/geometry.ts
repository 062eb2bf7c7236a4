// Slice geometry: order frames along the slice normal, refuse stacks that are not a regular grid, build the LPS affine.
import type { FrameRef } from './frames.js';
import { VolumeError } from './types.js';

export interface StackGeometry {
  /** frames in volume order: k increases along n = row direction × column direction */
  ordered: FrameRef[];
  dims: [number, number, number];
  spacing: [number, number, number];
  affine: number[];
}

const ORIENTATION_TOLERANCE = 1e-3; // direction cosines are written with ~6 digits; 1e-3 is ~0.06°

/** Sort by position along the normal (never by InstanceNumber or file order) and check the grid is regular. */
export function stackGeometry(frames: FrameRef[], minSlices: number, spacingTolerance: number): StackGeometry {
  if (frames.length < minSlices) {
    throw new VolumeError('TOO_FEW_SLICES', `${frames.length} slice(s), at least ${minSlices} needed`);
  }
  const first = frames[0]!.geometry;
  checkSameGrid(frames);
  const rowDir = first.orientation.slice(0, 3);
  const colDir = first.orientation.slice(3, 6);
  const normal = cross(rowDir, colDir);
  const ordered = frames
    .map((frame) => ({ frame, along: dot(normal, frame.geometry.position) }))
    .sort((a, b) => a.along - b.along);
  const step = sliceStep(ordered.map((o) => o.along), first.sliceThickness, spacingTolerance);
  const origin = ordered[0]!.frame.geometry.position;
  const [rowSpacing, columnSpacing] = first.pixelSpacing;
  checkAlongNormal(ordered.map((o) => o.frame), origin, normal, step, Math.min(rowSpacing, columnSpacing));
  const iAxis = rowDir.map((x) => x * columnSpacing);
  const jAxis = colDir.map((x) => x * rowSpacing);
  const kAxis = normal.map((x) => x * step);
  // prettier-ignore
  const affine = [
    iAxis[0]!, jAxis[0]!, kAxis[0]!, origin[0]!,
    iAxis[1]!, jAxis[1]!, kAxis[1]!, origin[1]!,
    iAxis[2]!, jAxis[2]!, kAxis[2]!, origin[2]!,
    0, 0, 0, 1,
  ];
  return {
    ordered: ordered.map((o) => o.frame),
    dims: [first.columns, first.rows, frames.length],
    spacing: [columnSpacing, rowSpacing, step],
    affine,
  };
}

function checkSameGrid(frames: FrameRef[]): void {
  const first = frames[0]!.geometry;
  for (const { geometry: g, file } of frames) {
    if (g.rows !== first.rows || g.columns !== first.columns) {
      throw new VolumeError('MIXED_SIZE', `${file} is ${g.columns}x${g.rows}, others ${first.columns}x${first.rows}`);
    }
    if (g.orientation.some((x, n) => Math.abs(x - first.orientation[n]!) > ORIENTATION_TOLERANCE)) {
      throw new VolumeError(
        'MIXED_ORIENTATION',
        `${file} has ImageOrientationPatient ${fmt(g.orientation)}, others ${fmt(first.orientation)}`,
      );
    }
    if (g.pixelSpacing.some((x, n) => Math.abs(x - first.pixelSpacing[n]!) > 1e-3 * first.pixelSpacing[n]!)) {
      throw new VolumeError('MIXED_SIZE',
        `${file} has PixelSpacing ${fmt(g.pixelSpacing)}, others ${fmt(first.pixelSpacing)}`);
    }
  }
}

/** The regular step between sorted slice positions; refuses duplicates and gaps (a missing slice). */
function sliceStep(along: number[], thickness: number | undefined, tolerance: number): number {
  if (along.length === 1) return thickness ?? 1; // a single slice has no step: fall back to its thickness
  const steps = along.slice(1).map((d, n) => d - along[n]!);
  const median = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)]!;
  const duplicate = steps.findIndex((s) => s < 1e-3);
  if (duplicate >= 0) {
    throw new VolumeError(
      'DUPLICATE_POSITION',
      `two slices at the same position (${along[duplicate]!.toFixed(3)} mm along the normal): several echoes, phases or acquisitions in one series`,
    );
  }
  const irregular = steps.findIndex((s) => Math.abs(s - median) > tolerance * median);
  if (irregular >= 0) {
    throw new VolumeError(
      'NON_UNIFORM_SPACING',
      `slice step ${steps[irregular]!.toFixed(3)} mm between sorted slices ${irregular} and ${irregular + 1}, typical step ${median.toFixed(3)} mm (a missing slice?)`,
    );
  }
  return (along[along.length - 1]! - along[0]!) / (along.length - 1);
}

/** A tilted gantry (or sheared stack) moves slice origins sideways; the affine would misplace voxels. */
function checkAlongNormal(ordered: FrameRef[], origin: number[], normal: number[], step: number, pixel: number): void {
  ordered.forEach((frame, k) => {
    const offset = frame.geometry.position.map((x, n) => x - origin[n]!);
    const sideways = offset.map((x, n) => x - dot(offset, normal) * normal[n]!);
    const shift = Math.hypot(sideways[0]!, sideways[1]!, sideways[2]!);
    // half a pixel: the largest in-plane error under which every voxel still lands in its own pixel
    if (shift > 0.5 * pixel) {
      const degrees = (Math.atan2(shift, Math.abs(k * step)) * 180) / Math.PI;
      throw new VolumeError(
        'GANTRY_TILT',
        `slice ${k} is shifted ${shift.toFixed(2)} mm sideways from the slice normal (tilt/shear ≈ ${degrees.toFixed(1)}°); resample the series before inference`,
      );
    }
  });
}

export function cross(a: number[], b: number[]): number[] {
  return [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
}

export function dot(a: number[], b: number[]): number {
  return a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
}

function fmt(values: number[]): string {
  return values.map((x) => Number(x.toFixed(4))).join('\\');
}
