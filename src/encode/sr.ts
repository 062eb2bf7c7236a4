// SEG result + segment descriptions (+ HU statistics) → an Enhanced SR holding a TID 1500 Measurement Report:
// one TID 1411 group per segment in the SEG, one TID 1501 group per segment the model found absent.
import type {
  AlgorithmIdentity, JobIdentity, MeasurementReportResult, SegmentDescription, SegmentationResult, SourceSlice,
} from './types.js';
import { EncodeError } from './errors.js';
import { parseSourceSeries, type SourceSeries } from './source-series.js';
import { deriveResultUid, checkUidRoot } from './uids.js';
import { writePart10, type NaturalDataset } from './dicom-io.js';
import { resultUidInputs } from './seg.js';
import { validateSegments } from './segment-check.js';
import { segmentStatistics, type SegmentStatistics } from './intensity-stats.js';
import { CONCEPT, container } from './sr-content.js';
import { measurementReportDataset } from './sr-document.js';
import { absentEvaluations, presentGroup } from './sr-groups.js';
import { featureCodingSchemes, type SegmentFeatureMeasurement } from './sr-features.js';
import { SOP } from '../dicom/uids.js';

/**
 * `intensities`: the HU volume on the label grid (the statistics are then computed here, by segmentStatistics), or
 * the statistics segmentStatistics already computed elsewhere (the pipeline runs it beside the SEG encoding).
 * `features`: IBSI features per segment label (src/features), one NUM each in that segment's group.
 */
export function encodeMeasurementReport(
  sources: SourceSlice[], seg: SegmentationResult, segments: SegmentDescription[],
  algorithm: AlgorithmIdentity, job: JobIdentity, intensities?: Float32Array | SegmentStatistics,
  features?: SegmentFeatureMeasurement[],
): MeasurementReportResult {
  checkUidRoot(job.uidRoot);
  const series = parseSourceSeries(sources);
  validateSegments(segments);
  const stats = statsFor(seg, segments, sources, intensities);
  const uidInputs = resultUidInputs(series, algorithm, job);
  const sopInstanceUid = deriveResultUid(uidInputs, 'sr-instance');
  const seriesInstanceUid = deriveResultUid(uidInputs, 'sr-series');
  const groups: NaturalDataset[] = [];
  const absent: SegmentDescription[] = [];
  for (const d of segments) {
    const encoded = seg.segments.find((s) => s.label === d.label);
    if (encoded) {
      const trackingUid = deriveResultUid(uidInputs, `tracking-${encoded.number}`);
      const found = features?.find((f) => f.label === d.label);
      const measured = found && { config: found.config, values: found.features };
      const stat = stats.get(d.label);
      groups.push(presentGroup({ d, encoded, seg, series, algorithm, stats: stat, trackingUid, features: measured }));
    } else if (seg.absent.includes(d.label)) {
      absent.push(d);
    } else {
      throw new EncodeError('ENC_SEGMENTS',
        `segment "${d.label}" is neither in the SEG nor listed as absent: pass the same segments to both encoders`);
    }
  }
  const dataset = measurementReportDataset({
    first: series.first, modality: series.modality, sources, sopInstanceUid, seriesInstanceUid, algorithm, job,
    codingSchemes: features?.length ? featureCodingSchemes() : undefined,
    evidence: [evidence(series, sources, seg)],
    content: [
      ...(groups.length > 0 ? [container('CONTAINS', CONCEPT.imagingMeasurements, groups)] : []),
      ...(absent.length > 0 ? [absentEvaluations(absent)] : []),
    ],
  });
  return { bytes: writePart10(dataset), sopInstanceUid, seriesInstanceUid };
}

function evidence(series: SourceSeries, sources: SourceSlice[], seg: SegmentationResult): NaturalDataset {
  return {
    StudyInstanceUID: series.studyInstanceUid,
    ReferencedSeriesSequence: [
      { SeriesInstanceUID: series.seriesInstanceUid,
        ReferencedSOPSequence: sources.map(
          (s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })) },
      ...(seg.segments.length > 0 ? [{ SeriesInstanceUID: seg.seriesInstanceUid, ReferencedSOPSequence: [{
        ReferencedSOPClassUID: seg.sopClassUid ?? SOP.segmentationStorage,
        ReferencedSOPInstanceUID: seg.sopInstanceUid }] }] : []),
    ],
  };
}

/** Statistics as given, or measured on the label volume when the SEG result still holds it, else on the SEG's masks. */
function statsFor(seg: SegmentationResult, segments: SegmentDescription[], sources: SourceSlice[],
  intensities?: Float32Array | SegmentStatistics): SegmentStatistics {
  if (intensities instanceof Map) return intensities;
  if (intensities === undefined) return new Map();
  return segmentStatistics(seg.labels ? { labels: seg.labels } : { seg, sources }, segments, intensities);
}
