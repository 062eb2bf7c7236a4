// One instance (single-frame or enhanced multi-frame) -> the frames it contributes, each with its own geometry.
import type { Dataset, ParsedInstance } from './dcm.js';
import { VolumeError, type SliceHeader } from './types.js';

/** What geometry and rescale need to know about one frame, parsed once at the boundary. */
export interface FrameGeometry {
  rows: number;
  columns: number;
  /** row direction (along i) then column direction (along j), unit vectors in LPS */
  orientation: number[];
  position: number[];
  /** DICOM order: [spacing between rows (along j), spacing between columns (along i)] */
  pixelSpacing: [number, number];
  sliceThickness?: number;
  rescaleSlope: number;
  rescaleIntercept: number;
}

export interface FrameRef {
  file: string;
  /** 0-based frame index inside the file */
  frameIndex: number;
  header: SliceHeader;
  geometry: FrameGeometry;
}

/** Frames of one parsed instance, with the per-frame functional groups of enhanced objects flattened. */
export function framesOfInstance(file: string, parsed: ParsedInstance): FrameRef[] {
  const ds = parsed.dataset;
  const sopInstanceUid = String(ds.SOPInstanceUID ?? '');
  const sopClassUid = String(ds.SOPClassUID ?? '');
  const perFrame = asItems(ds.PerFrameFunctionalGroupsSequence);
  const frameCount = Number(ds.NumberOfFrames ?? 1) || 1;
  if (perFrame.length === 0) {
    if (frameCount > 1) {
      throw new VolumeError('NOT_AN_IMAGE',
        `${file}: ${frameCount} frames but no per-frame functional groups give their positions`);
    }
    const dataset = { ...ds };
    return [{ file, frameIndex: 0, header: { sopInstanceUid, sopClassUid, dataset },
      geometry: frameGeometry(file, dataset) }];
  }
  const shared = asItems(ds.SharedFunctionalGroupsSequence)[0] ?? {};
  const { PerFrameFunctionalGroupsSequence: _dropped, ...common } = ds;
  return perFrame.map((frameGroups, frameIndex) => {
    // the shared header is copied per frame, but not the N-item per-frame sequence (that would be N² in memory)
    const dataset: Dataset = { ...common, ...flattenFunctionalGroups(shared), ...flattenFunctionalGroups(frameGroups) };
    const header: SliceHeader = { sopInstanceUid, sopClassUid, frameNumber: frameIndex + 1, dataset };
    return { file, frameIndex, header, geometry: frameGeometry(`${file} frame ${frameIndex + 1}`, dataset) };
  });
}

/** Lift the attributes of the functional group macros that geometry and rescale use to the top level. */
function flattenFunctionalGroups(groups: Dataset): Dataset {
  const flat: Dataset = {};
  const pick = (sequence: string, keys: string[]): void => {
    const item = asItems(groups[sequence])[0];
    if (!item) return;
    for (const key of keys) if (item[key] !== undefined) flat[key] = item[key];
  };
  pick('PlanePositionSequence', ['ImagePositionPatient']);
  pick('PlaneOrientationSequence', ['ImageOrientationPatient']);
  pick('PixelMeasuresSequence', ['PixelSpacing', 'SliceThickness', 'SpacingBetweenSlices']);
  pick('PixelValueTransformationSequence', ['RescaleSlope', 'RescaleIntercept', 'RescaleType']);
  pick('FrameContentSequence', ['DimensionIndexValues', 'InStackPositionNumber', 'StackID', 'TemporalPositionIndex']);
  return flat;
}

function frameGeometry(where: string, ds: Dataset): FrameGeometry {
  const orientation = numbers(ds.ImageOrientationPatient);
  const position = numbers(ds.ImagePositionPatient);
  const spacing = numbers(ds.PixelSpacing);
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  if (!(rows > 0 && columns > 0)) throw new VolumeError('NOT_AN_IMAGE', `${where}: no Rows/Columns`);
  if (orientation.length !== 6 || position.length !== 3) {
    throw new VolumeError('NOT_AN_IMAGE',
      `${where}: ImageOrientationPatient/ImagePositionPatient missing or malformed`);
  }
  if (spacing.length !== 2 || !(spacing[0]! > 0 && spacing[1]! > 0)) {
    throw new VolumeError('NOT_AN_IMAGE', `${where}: PixelSpacing missing or not positive`);
  }
  const slope = ds.RescaleSlope === undefined ? 1 : Number(ds.RescaleSlope);
  const intercept = ds.RescaleIntercept === undefined ? 0 : Number(ds.RescaleIntercept);
  const thickness = Number(ds.SliceThickness);
  return {
    rows,
    columns,
    orientation: normalizeDirections(orientation),
    position,
    pixelSpacing: [spacing[0]!, spacing[1]!],
    sliceThickness: thickness > 0 ? thickness : undefined,
    rescaleSlope: Number.isFinite(slope) && slope !== 0 ? slope : 1,
    rescaleIntercept: Number.isFinite(intercept) ? intercept : 0,
  };
}

/** Scanners write direction cosines with few digits; renormalize so cross products stay unit length. */
function normalizeDirections(o: number[]): number[] {
  const unit = (v: number[]): number[] => {
    const len = Math.hypot(v[0]!, v[1]!, v[2]!);
    return len > 0 ? v.map((x) => x / len) : v;
  };
  return [...unit(o.slice(0, 3)), ...unit(o.slice(3, 6))];
}

/** dcmjs gives multi-valued numbers as arrays (sometimes of strings) and single values bare. */
function numbers(value: unknown): number[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split('\\') : [value];
  const parsed = list.map((x) => Number(x));
  return parsed.every((x) => Number.isFinite(x)) ? parsed : [];
}

function asItems(value: unknown): Dataset[] {
  if (Array.isArray(value)) return value as Dataset[];
  if (value && typeof value === 'object') return [value as Dataset];
  return [];
}
