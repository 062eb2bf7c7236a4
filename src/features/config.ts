// The feature stage's processing configuration as data (per segment in a manifest, or in a rule): resampling,
// re-segmentation, discretisation and what to compute; CT defaults; validation that reports every problem by path.
import { Ajv, type ErrorObject } from 'ajv';
import type { Discretisation } from './discretise.js';
import type { FeatureFamily, TextureAggregation } from './types.js';

export interface ResamplingConfig {
  /** Isotropic voxel spacing of the new grid, mm. */
  spacingMm: number;
  interpolation: 'trilinear' | 'nearest';
  /** The mask is interpolated too (as 0/1 values) and kept where the result reaches partialVolumeThreshold. */
  maskInterpolation: 'trilinear' | 'nearest';
  partialVolumeThreshold: number;
  /** Round interpolated intensities to integers (IBSI does so for CT, whose HU are integers). */
  roundIntensities: boolean;
}

export interface FeatureConfig {
  /** null: features on the image grid as it is. The new grid is centred on the old one (IBSI grid alignment). */
  resampling: ResamplingConfig | null;
  /** Intensity mask = ROI ∩ [range] ∩ within outlierSigma standard deviations of the ROI mean (when set). */
  resegmentation: { range: [number, number] | null; outlierSigma: number | null };
  discretisation: Discretisation;
  families: FeatureFamily[];
  aggregations: TextureAggregation[];
}

const FAMILIES: FeatureFamily[] = ['morphology', 'local intensity', 'intensity statistics', 'intensity histogram',
  'intensity-volume histogram', 'glcm', 'glrlm', 'glszm', 'gldzm', 'ngtdm', 'ngldm'];

/**
 * CT defaults: IBSI 1 configuration C for CT (2 mm isotropic trilinear resampling with rounding, mask threshold 0.5,
 * re-segmentation to [−1000, 400] HU, fixed bin size 25 HU from −1000), all families, both 3D aggregations.
 */
export const CT_FEATURE_DEFAULTS: FeatureConfig = {
  resampling: {
    spacingMm: 2, interpolation: 'trilinear', maskInterpolation: 'trilinear', partialVolumeThreshold: 0.5,
    roundIntensities: true,
  },
  resegmentation: { range: [-1000, 400], outlierSigma: null },
  discretisation: { method: 'fixed bin size', binWidth: 25 },
  families: FAMILIES,
  aggregations: ['3D, averaged', '3D, merged'],
};

/**
 * Defaults for images without a physical intensity scale (MR, PET without SUV, …): HU ranges and bin widths mean
 * nothing there, so no re-segmentation range and a fixed bin number of 32 (IBSI's advice for arbitrary units);
 * resampled intensities are not rounded.
 */
export const ARBITRARY_UNIT_FEATURE_DEFAULTS: FeatureConfig = {
  ...CT_FEATURE_DEFAULTS,
  resampling: { ...CT_FEATURE_DEFAULTS.resampling!, roundIntensities: false },
  resegmentation: { range: null, outlierSigma: null },
  discretisation: { method: 'fixed bin number', bins: 32 },
};

const schema = {
  type: 'object', additionalProperties: false,
  properties: {
    resampling: {
      type: ['object', 'null'], additionalProperties: false,
      properties: {
        spacingMm: { type: 'number', exclusiveMinimum: 0, maximum: 20 },
        interpolation: { enum: ['trilinear', 'nearest'] },
        maskInterpolation: { enum: ['trilinear', 'nearest'] },
        partialVolumeThreshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        roundIntensities: { type: 'boolean' },
      },
    },
    resegmentation: {
      type: 'object', additionalProperties: false,
      properties: {
        range: { type: ['array', 'null'], items: { type: 'number' }, minItems: 2, maxItems: 2 },
        outlierSigma: { type: ['number', 'null'], exclusiveMinimum: 0 },
      },
    },
    discretisation: {
      type: 'object', required: ['method'],
      properties: {
        method: { enum: ['fixed bin number', 'fixed bin size'] },
        bins: { type: 'integer', minimum: 1, maximum: 65535 },
        binWidth: { type: 'number', exclusiveMinimum: 0 },
        lowerBound: { type: 'number' },
      },
      additionalProperties: false,
    },
    families: { type: 'array', items: { enum: FAMILIES }, uniqueItems: true },
    aggregations: {
      type: 'array', minItems: 1, uniqueItems: true,
      items: { enum: ['3D, averaged', '3D, merged', '2D, averaged', '2D, slice-merged', '2.5D, direction-merged',
        '2.5D, merged', '2D', '2.5D'] },
    },
  },
};

export interface ConfigProblem { path: string; message: string }
export type FeatureConfigValidation = { ok: true; config: FeatureConfig } | { ok: false; problems: ConfigProblem[] };

let validateSchema: ReturnType<Ajv['compile']> | undefined;

/** A partial configuration over the CT defaults (nested objects merge key by key), validated as a whole. */
export function resolveFeatureConfig(
  candidate: unknown, defaults: FeatureConfig = CT_FEATURE_DEFAULTS,
): FeatureConfigValidation {
  validateSchema ??= new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);
  if (!validateSchema(candidate ?? {})) return { ok: false, problems: (validateSchema.errors ?? []).map(problem) };
  const c = (candidate ?? {}) as Partial<FeatureConfig>;
  const config: FeatureConfig = {
    resampling: c.resampling === null ? null
      : c.resampling || defaults.resampling ? { ...defaults.resampling!, ...c.resampling } as ResamplingConfig : null,
    resegmentation: { ...defaults.resegmentation, ...c.resegmentation },
    discretisation: c.discretisation ?? defaults.discretisation,
    families: c.families ?? defaults.families,
    aggregations: c.aggregations ?? defaults.aggregations,
  };
  const problems = semanticProblems(config);
  return problems.length ? { ok: false, problems } : { ok: true, config };
}

/** What the schema cannot say: ordered range, the parameter each discretisation needs, bins inside the range. */
function semanticProblems(c: FeatureConfig): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const flag = (path: string, message: string) => out.push({ path, message });
  const r = c.resampling as Partial<ResamplingConfig> | null;
  const resamplingKeys =
    ['spacingMm', 'interpolation', 'maskInterpolation', 'partialVolumeThreshold', 'roundIntensities'] as const;
  for (const key of resamplingKeys) {
    if (r && r[key] === undefined) flag(`/resampling/${key}`,
      'required when the defaults have no resampling to fill it');
  }
  const range = c.resegmentation.range;
  if (range && !(range[0] < range[1])) flag('/resegmentation/range', 'lower bound must be below the upper bound');
  const d = c.discretisation as Partial<{ method: string; bins: number; binWidth: number; lowerBound: number }>;
  if (d.method === 'fixed bin number') {
    if (d.bins === undefined) flag('/discretisation/bins', 'fixed bin number needs bins');
    if (d.binWidth !== undefined || d.lowerBound !== undefined) {
      flag('/discretisation', 'binWidth and lowerBound belong to fixed bin size');
    }
  } else {
    if (d.binWidth === undefined) flag('/discretisation/binWidth', 'fixed bin size needs binWidth');
    if (d.bins !== undefined) flag('/discretisation/bins', 'bins belongs to fixed bin number');
    if (range && d.lowerBound !== undefined && d.lowerBound > range[0]) {
      flag('/discretisation/lowerBound', `must not exceed the re-segmentation lower bound ${range[0]}`);
    }
  }
  return out;
}

function problem(e: ErrorObject): ConfigProblem {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') {
    return { path: `${e.instancePath}/${String(params.additionalProperty)}`, message: 'unknown property' };
  }
  if (e.keyword === 'enum') {
    return { path: e.instancePath, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
  }
  return { path: e.instancePath || '/', message: e.message ?? 'invalid' };
}
