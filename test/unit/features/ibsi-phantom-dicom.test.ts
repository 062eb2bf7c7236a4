// Conformance through the DICOM path: the IBSI 1 digital phantom written as a CT series and a SEG, then read
// back as the measure job reads a SEG from elsewhere (series loader, SEG reader on the source grid, the feature
// worker), compared with the IBSI reference values and tolerances; and once more as read back from the SR.
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_FAMILIES, type FeatureConfig } from '../../../src/features/index.js';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { measureFeatures } from '../../../src/jobs/feature-stage.js';
import { foreignSegments, segmentationReferences } from '../../../src/jobs/foreign-segmentation.js';
import { measureSegmentation } from '../../../src/jobs/measure-worker.js';
import { readPart10 } from '../../../src/encode/dicom-io.js';
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
    const failing = compared.filter(
      (r) => { const v = ours(r); return v === undefined || Math.abs(v - r.value!) > toleranceOf(r); });
    console.log(`DICOM path: ${compared.length - failing.length}/${compared.length} reference rows within tolerance`);
    expect(compared.length).toBeGreaterThan(400);
  });

  it.each(compared.map((r) =>
    [`${r.code} ${r.feature} ${r.aggregation || r.qualifier || ''}`.trim(), r] as const))('%s', (_, row) => {
      const value = ours(row);
      expect(value, 'feature not computed').toBeDefined();
      expect(Math.abs(value! - row.value!)).toBeLessThanOrEqual(toleranceOf(row));
    });
});

/** Every NUM of the SR's measurement groups as (IBSI id, aggregation, parameter) → value, read back with dcmjs. */
function featuresInSr(bytes: Uint8Array): Map<string, number> {
  const items = (v: unknown): Array<Record<string, any>> => (Array.isArray(v) ? v : v ? [v] : []) as never;
  const out = new Map<string, number>();
  const visit = (item: Record<string, any>) => {
    if (item.ValueType === 'NUM') {
      const concept = items(item.ConceptNameCodeSequence)[0]!;
      const children = items(item.ContentSequence);
      // The SR is ISO_IR 192 (UTF-8); readPart10 hands text back byte for byte as Latin-1 ("−" in "10 % − 90 %")
      const utf8 = (s: string) => Buffer.from(s, 'latin1').toString('utf8');
      const text = (value: string) =>
        utf8(children.find((c) => items(c.ConceptNameCodeSequence)[0]?.CodeValue === value)?.TextValue ?? '');
      const method = children.find((c) => items(c.ConceptNameCodeSequence)[0]?.CodeValue === '370129005');
      const id = concept.CodingSchemeDesignator === 'IBSI' ? concept.CodeValue
        : items(method?.ConceptCodeSequence)[0]?.CodeValue;
      const measured = items(item.MeasuredValueSequence)[0]!;
      if (id) out.set(`${id}|${text('AGGR')}|${text('PARAM')}`,
        Number(measured.FloatingPointValue ?? measured.NumericValue));
    }
    items(item.ContentSequence).forEach(visit);
  };
  visit(readPart10(bytes).dataset);
  return out;
}

describe('IBSI 1 digital phantom through DICOM CT + SEG, read back from the SR the measure worker writes', () => {
  let inSr: Map<string, number>;
  beforeAll(async () => {
    const { ctFiles, segBytes } = await phantomAsDicom();
    const loaded = await loadSeriesVolume(ctFiles, { minSlices: 1 });
    const reply = measureSegmentation({
      segBytes, refs: segmentationReferences(segBytes), slices: loaded.slices, image: loaded.volume.data,
      dims: loaded.volume.dims, spacing: loaded.volume.spacing, config,
      algorithm: { name: 'IBSI features', version: '1', modelId: 'ibsi-features',
        family: { scheme: 'DCM', value: '121401', meaning: 'Derivation' } },
      job: { jobId: 'phantom', uidRoot: '2.25' },
    });
    if (!reply.ok) throw new Error(`${reply.code}: ${reply.message}`);
    inSr = featuresInSr(reply.sr.bytes);
  }, 120_000);

  it('holds every reference row within tolerance', () => {
    const failing = compared.filter((r) => {
      const v = inSr.get(`${r.code}|${r.aggregation}|${(r as { qualifier?: string }).qualifier ?? ''}`);
      return v === undefined || Math.abs(v - r.value!) > toleranceOf(r);
    }).map((r) => `${r.code} ${r.aggregation}`);
    console.log(`SR path: ${compared.length - failing.length}/${compared.length} reference rows within tolerance`);
    expect(failing).toEqual([]);
  });
});
