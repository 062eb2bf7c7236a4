// TID 1500 content per segment: a TID 1411 measurement group (volumetric ROI = a SEG segment) for each segment
// found, a qualitative evaluation "Absent" for each segment the model looked for and did not find.
import type { AlgorithmIdentity, Code, EncodedSegment, SegmentDescription, SegmentationResult } from './types.js';
import type { NaturalDataset } from './dicom-io.js';
import type { SourceSeries } from './source-series.js';
import type { IntensityStats } from './intensity-stats.js';

import { CONCEPT, UNIT, code, container, image, num, scoord, text, uidRef } from './sr-content.js';
import { featureItems, featureParameterItem } from './sr-features.js';
import type { Feature, FeatureConfig } from '../features/index.js';
import { SOP } from '../dicom/uids.js';

const ANATOMY_CATEGORIES = new Set(['91723000', '123037004']);   // SCT anatomical structure, body structure
// SCT left, right, bilateral, unilateral
const LATERALITIES = new Set(['7771000', '24028007', '51440002', '66459002']);

export interface PresentGroupInput {
  d: SegmentDescription; encoded: EncodedSegment; seg: SegmentationResult; series: SourceSeries;
  algorithm: AlgorithmIdentity; stats?: IntensityStats; trackingUid: string;
  /** IBSI features of this segment and the configuration they were computed with (recorded as parameters). */
  features?: { config: FeatureConfig; values: Feature[] };
}

/**
 * TID 1411: what was found, where, which SEG segment it is, its volume and the HU statistics asked for. An RT
 * Structure Set ROI has no Referenced Segment (that item's segment number is defined for SEGs only): its group is
 * outlined by the ROI's own contours, one Image Region (row 5) per contour, each selected from its slice (row 6),
 * which also names the source images (row 12, Source series for segmentation, goes with a Referenced Segment).
 */
export function presentGroup(input: PresentGroupInput): NaturalDataset {
  const { d, encoded, seg, series, algorithm, stats, trackingUid, features } = input;
  const rt = seg.rtRois?.get(encoded.number);
  return container('CONTAINS', CONCEPT.measurementGroup, [
    ...identification(d, trackingUid, rt?.coded ?? true),
    ...(rt ? rt.regions.map((r) => scoord('CONTAINS', CONCEPT.imageRegion, 'POLYLINE', r.points, r))
      : [image('CONTAINS', CONCEPT.referencedSegment, SOP.segmentationStorage, seg.sopInstanceUid, encoded.number)]),
    // TID 1411 row 12 goes with a Referenced Segment (pixelmed: "not in template" beside Image Regions, whose
    // SELECTED FROM images already name the source)
    ...(rt ? [] : [uidRef('CONTAINS', CONCEPT.sourceSeriesForSegmentation, series.seriesInstanceUid)]),
    ...algorithmItems(algorithm),
    ...(features ? [featureParameterItem(features.config)] : []),
    ...measurements(d, encoded.volumeMl, stats),
    ...(features ? featureItems(features.values, series.modality) : []),
  ], '1411');
}

/**
 * Segments the model looked for and did not find have no segment to reference, so no TID 1411 group can carry
 * them. TID 1500 row 12 "Qualitative Evaluations" does: one CODE per absent structure, concept = the structure,
 * value = SCT 2667000 "Absent" (+ its laterality/topographical modifier, CID 210). The algorithm is named by the
 * SR's device observer context and ContributingEquipmentSequence (pixelmed reads TID 4019 TEXT items here as row 14).
 */
export function absentEvaluations(absent: SegmentDescription[]): NaturalDataset {
  return container('CONTAINS', CONCEPT.qualitativeEvaluations, [
    ...absent.map((d) => code('CONTAINS', d.type, CONCEPT.absent,
      d.typeModifier ? [modifierItem(d.typeModifier)] : undefined)),
  ]);
}

/** Tracking identifier + UID (OHIF reads both), Finding (unless uncoded), Finding Site (only when it is anatomy). */
function identification(d: SegmentDescription, trackingUid: string, coded: boolean): NaturalDataset[] {
  const items = [
    text('HAS OBS CONTEXT', CONCEPT.trackingIdentifier, d.label),
    uidRef('HAS OBS CONTEXT', CONCEPT.trackingUid, trackingUid),
    ...(coded ? [code('CONTAINS', CONCEPT.finding, d.type)] : []),
  ];
  if (ANATOMY_CATEGORIES.has(d.category.value) && d.category.scheme === 'SCT') items.push(
    findingSite(d.type, d.typeModifier));
  return items;
}

function findingSite(site: Code, modifier?: Code): NaturalDataset {
  if (!modifier) return code('HAS CONCEPT MOD', CONCEPT.findingSite, site);
  return code('HAS CONCEPT MOD', CONCEPT.findingSite, site, [modifierItem(modifier)]);
}

function modifierItem(modifier: Code): NaturalDataset {
  const isLaterality = modifier.scheme === 'SCT' && LATERALITIES.has(modifier.value);
  return code('HAS CONCEPT MOD', isLaterality ? CONCEPT.laterality : CONCEPT.topographicalModifier, modifier);
}

/** TID 4019 Algorithm Identification. */
function algorithmItems(algorithm: AlgorithmIdentity): NaturalDataset[] {
  return [
    text('HAS CONCEPT MOD', CONCEPT.algorithmName, algorithm.name),
    text('HAS CONCEPT MOD', CONCEPT.algorithmVersion, algorithm.version),
  ];
}

function measurements(d: SegmentDescription, volumeMl: number, stats?: IntensityStats): NaturalDataset[] {
  const items: NaturalDataset[] = [];
  if (d.measurements.includes('volume')) items.push(volumeItem(volumeMl));
  if (!stats) return items;
  const derived: Array<[SegmentDescription['measurements'][number], Code, number]> = [
    ['mean', CONCEPT.mean, stats.mean], ['stdDev', CONCEPT.stdDev, stats.stdDev],
    ['min', CONCEPT.min, stats.min], ['max', CONCEPT.max, stats.max],
  ];
  for (const [name, derivation, value] of derived) {
    if (d.measurements.includes(name)) {
      items.push(num('CONTAINS', CONCEPT.attenuation, value, UNIT.hu,
        [code('HAS CONCEPT MOD', CONCEPT.derivation, derivation)]));
    }
  }
  return items;
}

function volumeItem(ml: number): NaturalDataset {
  return num('CONTAINS', CONCEPT.volume, ml, UNIT.ml,
    [code('HAS CONCEPT MOD', CONCEPT.measurementMethod, CONCEPT.sumOfVoxelVolumes)]);
}
