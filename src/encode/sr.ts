// SEG result + segment descriptions (+ HU statistics) → an Enhanced SR holding a TID 1500 Measurement Report:
// one TID 1411 group per segment in the SEG, one TID 1501 group per segment the model found absent.
import type {
  AlgorithmIdentity, Code, JobIdentity, MeasurementReportResult, SegmentDescription, SegmentationResult, SourceSlice,
} from './types.js';
import { EncodeError } from './errors.js';
import { parseSourceSeries, type SourceSeries } from './source-series.js';
import { dicomDate, dicomTime, equipment, patientAndStudy, NODE_NAME } from './composite-context.js';
import { deriveNodeDeviceUid, deriveResultUid, checkUidRoot } from './uids.js';
import { writePart10, type NaturalDataset } from './dicom-io.js';
import { resultUidInputs } from './seg.js';
import { validateSegments } from './segment-check.js';
import { segmentStatistics, type SegmentStatistics } from './intensity-stats.js';
import { CONCEPT, code, container, image, text, uidRef } from './sr-content.js';
import { absentEvaluations, presentGroup } from './sr-groups.js';
import { featureCodingSchemes, type SegmentFeatureMeasurement } from './sr-features.js';
import { SOP } from '../dicom/uids.js';

const SR_SERIES_NUMBER = 9702;

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
  const now = new Date();
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
      throw new EncodeError('ENC_SEGMENTS', `segment "${d.label}" is neither in the SEG nor listed as absent: pass the same segments to both encoders`);
    }
  }
  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SOP.enhancedSrStorage, SOPInstanceUID: sopInstanceUid,
    ...(features?.length ? { CodingSchemeIdentificationSequence: featureCodingSchemes() } : {}),
    InstanceCreationDate: dicomDate(now), InstanceCreationTime: dicomTime(now), TimezoneOffsetFromUTC: '+0000',
    ...patientAndStudy(series.first),
    Modality: 'SR', SeriesInstanceUID: seriesInstanceUid, SeriesNumber: SR_SERIES_NUMBER,
    SeriesDescription: `${algorithm.name} measurements`.slice(0, 64), ReferencedPerformedProcedureStepSequence: [],
    ...equipment(algorithm, job, now),
    InstanceNumber: 1, CompletionFlag: 'COMPLETE', VerificationFlag: 'UNVERIFIED',
    ContentDate: dicomDate(now), ContentTime: dicomTime(now),
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [evidence(series, sources, seg)],
    ...container(undefined, CONCEPT.report, [
      ...contextItems(series.modality, job),
      imageLibrary(sources),
      ...(groups.length > 0 ? [container('CONTAINS', CONCEPT.imagingMeasurements, groups)] : []),
      ...(absent.length > 0 ? [absentEvaluations(absent)] : []),
    ], '1500'),
  };
  return { bytes: writePart10(dataset), sopInstanceUid, seriesInstanceUid };
}

/** TID 1204 language, TID 1002/1004 device observer (this node), procedure reported. */
export function contextItems(modality: string, job: JobIdentity): NaturalDataset[] {
  const serial = job.deviceSerialNumber ?? '0';
  return [
    code('HAS CONCEPT MOD', CONCEPT.language, { scheme: 'RFC5646', value: 'en-US', meaning: 'English (United States)' }),
    code('HAS OBS CONTEXT', CONCEPT.observerType, { scheme: 'DCM', value: '121007', meaning: 'Device' }),
    uidRef('HAS OBS CONTEXT', CONCEPT.deviceObserverUid, deriveNodeDeviceUid(job.uidRoot, serial)),
    text('HAS OBS CONTEXT', CONCEPT.deviceObserverName, NODE_NAME),
    text('HAS OBS CONTEXT', CONCEPT.deviceObserverManufacturer, job.manufacturer ?? NODE_NAME),
    text('HAS OBS CONTEXT', CONCEPT.deviceObserverModelName, NODE_NAME),
    text('HAS OBS CONTEXT', CONCEPT.deviceObserverSerialNumber, serial),
    code('HAS CONCEPT MOD', CONCEPT.procedureReported, procedureFor(modality)),
  ];
}

/** CID 100 codes for the usual modalities; anything else is reported as a generic imaging procedure. */
function procedureFor(modality: string): Code {
  switch (modality) {
    case 'CT': return { scheme: 'LN', value: '25045-6', meaning: 'CT unspecified body region' };
    case 'MR': return { scheme: 'LN', value: '25056-3', meaning: 'MRI unspecified body region' };
    case 'PT': return { scheme: 'LN', value: '44136-0', meaning: 'PET unspecified body region' };
    default: return { scheme: 'SCT', value: '363679005', meaning: 'Imaging procedure' };
  }
}

/** TID 1600: the source images the measurements were made on. */
export function imageLibrary(sources: SourceSlice[]): NaturalDataset {
  return container('CONTAINS', CONCEPT.imageLibrary, [
    container('CONTAINS', CONCEPT.imageLibraryGroup, sources.map((s) => image('CONTAINS', undefined, s.sopClassUid, s.sopInstanceUid))),
  ]);
}

function evidence(series: SourceSeries, sources: SourceSlice[], seg: SegmentationResult): NaturalDataset {
  return {
    StudyInstanceUID: series.studyInstanceUid,
    ReferencedSeriesSequence: [
      { SeriesInstanceUID: series.seriesInstanceUid,
        ReferencedSOPSequence: sources.map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })) },
      ...(seg.segments.length > 0 ? [{ SeriesInstanceUID: seg.seriesInstanceUid,
        ReferencedSOPSequence: [{ ReferencedSOPClassUID: SOP.segmentationStorage, ReferencedSOPInstanceUID: seg.sopInstanceUid }] }] : []),
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
