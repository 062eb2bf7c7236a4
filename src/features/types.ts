// Shared types of the IBSI feature stage: the region of interest on its voxel grid and one computed feature.

/** Grid extents in voxels, slowest first: [slices (z), rows (y), columns (x)]; voxel index = x + X·(y + Y·z). */
export type GridDims = readonly [number, number, number];
/** Voxel spacing in mm in the same order as GridDims: [z, y, x]. */
export type GridSpacing = readonly [number, number, number];

/** An image and its region of interest on one grid. mask: 1 = in the ROI. */
export interface RoiVolume {
  image: Float32Array;
  mask: Uint8Array;
  dims: GridDims;
  spacing: GridSpacing;
  /** Where this grid was cut from a larger image (see cropAround): resampling aligns to the whole image's grid. */
  crop?: { offset: GridDims; fullDims: GridDims };
}

/**
 * IBSI distinguishes the morphological mask (the ROI as delineated, for shape) from the intensity mask (the ROI after
 * re-segmentation, for everything computed from intensities). Both are on the image grid.
 */
export interface FeatureInput {
  image: Float32Array;
  morphMask: Uint8Array;
  intensityMask: Uint8Array;
  dims: GridDims;
  spacing: GridSpacing;
}

/** Grey levels 1..levels inside the intensity mask (0 outside), as discretisation leaves them. */
export interface DiscretisedVolume {
  levels: Uint16Array;
  greyLevelCount: number;
  dims: GridDims;
  spacing: GridSpacing;
}

export type FeatureFamily =
  | 'morphology' | 'local intensity' | 'intensity statistics' | 'intensity histogram' | 'intensity-volume histogram'
  | 'glcm' | 'glrlm' | 'glszm' | 'gldzm' | 'ngtdm' | 'ngldm';

/** IBSI texture aggregation methods: GLCM and GLRLM use the first six; zone and neighbourhood matrices 3D, 2D, 2.5D. */
export type TextureAggregation = '3D, averaged' | '3D, merged' | '3D'
  | '2D, averaged' | '2D, slice-merged' | '2.5D, direction-merged' | '2.5D, merged' | '2D' | '2.5D';

/** What a feature's value is measured in; the SR maps it to UCUM (intensity → the image's unit, e.g. HU). */
export type FeatureUnit = 'mm3' | 'mm2' | 'mm' | '/mm' | '1' | 'intensity' | 'intensity2' | 'mm3·intensity';

export interface Feature {
  /** The four-letter IBSI identifier, e.g. 'RNU0'. */
  id: string;
  name: string;
  family: FeatureFamily;
  aggregation?: TextureAggregation;
  /** The parameter of a parameterised feature, e.g. '10 %' for the volume fraction at 10 % intensity (BC2M). */
  qualifier?: string;
  value: number;
  unit: FeatureUnit;
}

/** FEAT_EMPTY_ROI: no voxel in the (re-segmented) ROI; FEAT_INPUT: arrays that do not fit the grid;
 *  FEAT_CONFIG: a processing configuration that fails validation; FEAT_WORKER: the feature worker thread failed. */
export type FeatureErrorCode = 'FEAT_EMPTY_ROI' | 'FEAT_INPUT' | 'FEAT_CONFIG' | 'FEAT_WORKER';

/** Thrown for input the stage cannot measure (empty ROI, mismatched arrays, a bad configuration). */
export class FeatureError extends Error {
  constructor(readonly code: FeatureErrorCode, message: string) {
    super(message);
    this.name = 'FeatureError';
  }
}
