// Conformance through the DICOM path: the IBSI 1 digital phantom written as a CT series and a SEG, then read
// back as the measure job reads a SEG from elsewhere (series loader, SEG reader on the source grid, the feature
// worker), compared with the IBSI reference values and tolerances.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FAMILIES, type FeatureConfig } from '../../../src/features/index.js';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { measureFeatures } from '../../../src/jobs/feature-stage.js';
import { foreignSegments, segmentationReferences } from '../../../src/jobs/foreign-segmentation.js';
import type { SegmentFeatureMeasurement } from '../../../src/encode/sr-features.js';
import { AGGREGATIONS, compared, toleranceOf, type ReferenceRow } from './ibsi-phantom.js';
import { phantomAsDicom } from './phantom-dicom.js';

// The phantom's configuration: its grid and grey levels as they are (fixed bin number 6 over [1, 6] is identity).
const config: FeatureConfig = {
  resampling: null, resegmentation: { range: null, outlierSigma: null },
  discretisation: { method: 'fixed bin number', bins: 6 }, families: ALL_FAMILIES, aggregations: AGGREGATIONS,
};

let measured: SegmentFeatureMeasurement;
let voxels: number;

beforeAll(async () => {
  const { ctFiles, segBytes } = await phantomAsDicom();
  const loaded = await loadSeriesVolume(ctFiles, { minSlices: 1 });
  const refs = segmentationReferences(segBytes);
  const [di, dj, dk] = loaded.volume.spacing;
  const { segments } = foreignSegments(segBytes, refs, loaded.slices, (di * dj * dk) / 1000);
  voxels = segments[0]!.encoded.voxelCount;
  [measured] = await measureFeatures({ ...loaded.volume, labels: segments[0]!.mask },
    [{ label: segments[0]!.encoded.label, labelValues: [1], config }]);
}, 120_000);

describe('IBSI 1 digital phantom through DICOM CT + SEG', () => {
  const ours = (row: ReferenceRow & { qualifier?: string }) => measured.features.find((f) => f.id === row.code
    && (f.aggregation ?? '') === row.aggregation && f.qualifier === row.qualifier)?.value;

  it('reads back the ROI the SEG holds (74 voxels of 2 mm) and prints the comparison', () => {
    expect(voxels).toBe(74);
    const failing = compared.filter((r) => { const v = ours(r); return v === undefined || Math.abs(v - r.value!) > toleranceOf(r); });
    console.log(`DICOM path: ${compared.length - failing.length}/${compared.length} reference rows within tolerance`);
    expect(compared.length).toBeGreaterThan(400);
  });

  it.each(compared.map((r) => [`${r.code} ${r.feature} ${r.aggregation || r.qualifier || ''}`.trim(), r] as const))('%s', (_, row) => {
    const value = ours(row);
    expect(value, 'feature not computed').toBeDefined();
    expect(Math.abs(value! - row.value!)).toBeLessThanOrEqual(toleranceOf(row));
  });
});
