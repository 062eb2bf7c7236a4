// Whether a series fits a model's manifest (modality, slice count, slice spacing, body part), with reasons when not.
import type { ModelManifest } from './manifest.js';

export interface SeriesFacts { modality: string; slices: number; sliceSpacingMm: number; bodyPart?: string }

/** Empty when the model applies; otherwise one reason per unmet condition, for routing dry runs and job errors. */
export function applicabilityProblems(manifest: ModelManifest, series: SeriesFacts): string[] {
  const rules = manifest.applicability;
  const problems: string[] = [];
  if (!rules.modalities.includes(series.modality)) problems.push(
    `modality ${series.modality} is not one of ${rules.modalities.join(', ')}`);
  if (rules.minSlices !== undefined && series.slices < rules.minSlices) problems.push(
    `${series.slices} slices, the model needs at least ${rules.minSlices}`);
  if (rules.maxSliceSpacing !== undefined && series.sliceSpacingMm > rules.maxSliceSpacing) {
    problems.push(`slice spacing ${series.sliceSpacingMm} mm exceeds ${rules.maxSliceSpacing} mm`);
  }
  // Body Part Examined is often missing or free text, so only a present value that is not listed refuses.
  if (rules.bodyParts?.length && series.bodyPart && !rules.bodyParts.includes(series.bodyPart.toUpperCase())) {
    problems.push(`body part ${series.bodyPart} is not one of ${rules.bodyParts.join(', ')}`);
  }
  return problems;
}
