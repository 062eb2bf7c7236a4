// Label volume + source headers → a BINARY DICOM Segmentation (Part-10 bytes), built attribute by attribute
// after the SEG checklist in docs/SEG-SR.md; dcmjs only serialises it.
import type {
  AlgorithmIdentity, JobIdentity, LabelVolume, SegmentDescription, SegmentationResult, SourceSlice
} from './types.js';
import { EncodeError } from './errors.js';
import { parseSourceSeries, type SourceSeries } from './source-series.js';
import { listFrames, packFrames, planSegments, type SegFrame, type SegmentPlan } from './seg-pixels.js';
import { codeItem, dicomDate, dicomTime, equipment, patientAndStudy } from './composite-context.js';
import { rgbToDicomLab } from './colour.js';
import { deriveResultUid, checkUidRoot, type UidInputs } from './uids.js';
import { writePart10, type NaturalDataset } from './dicom-io.js';
import { validateSegments } from './segment-check.js';
import { encodePerFrameGroups, type PerFrameItem } from './per-frame-writer.js';
import { SOP } from '../dicom/uids.js';

const SEG_SERIES_NUMBER = 9701;   // high, so result series sort after the acquired ones in viewers

export function encodeSegmentation(
  sources: SourceSlice[], labels: LabelVolume, segments: SegmentDescription[],
  algorithm: AlgorithmIdentity, job: JobIdentity,
): SegmentationResult {
  checkUidRoot(job.uidRoot);
  const series = parseSourceSeries(sources);
  checkLabels(labels, series, sources.length);
  validateSegments(segments);
  const plan = planSegments(labels, segments.map((s) => s.labelValues));
  if (plan.segments.length === 0) {
    throw new EncodeError('ENC_NOTHING_SEGMENTED',
      `no segment has any voxel (${segments.map((s) => s.label).join(', ')}); `
      + 'a SEG needs at least one: report the absence with encodeMeasurementReport(sources, nothingSegmented(segments), ...)');
  }
  const frames = listFrames(plan, sources.length, job.omitEmptyFrames !== false);
  const uidInputs = resultUidInputs(series, algorithm, job);
  const sopInstanceUid = deriveResultUid(uidInputs, 'seg-instance');
  const seriesInstanceUid = deriveResultUid(uidInputs, 'seg-series');
  const now = new Date();
  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SOP.segmentationStorage, SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: dicomDate(now), InstanceCreationTime: dicomTime(now), TimezoneOffsetFromUTC: '+0000',
    ...patientAndStudy(series.first),
    Modality: 'SEG', SeriesInstanceUID: seriesInstanceUid, SeriesNumber: SEG_SERIES_NUMBER,
    SeriesDescription: `${algorithm.name} segmentation`.slice(0, 64),
    FrameOfReferenceUID: series.frameOfReferenceUid,
    PositionReferenceIndicator: series.first.PositionReferenceIndicator ?? '',
    ...equipment(algorithm, job, now),
    ImageType: ['DERIVED', 'PRIMARY'], InstanceNumber: 1,
    ContentLabel: 'SEGMENTATION', ContentDescription: (
      algorithm.description ?? `${algorithm.name} ${algorithm.version}`).slice(0, 64),
    ContentCreatorName: job.contentCreator ? [{ Alphabetic: job.contentCreator }] : [],
    ContentDate: dicomDate(now), ContentTime: dicomTime(now),
    SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', Rows: series.rows, Columns: series.columns,
    BitsAllocated: 1, BitsStored: 1, HighBit: 0, PixelRepresentation: 0,
    ...lossyCompression(series, sources),
    SegmentationType: 'BINARY', SegmentsOverlap: plan.overlap ? 'YES' : 'NO',
    SegmentSequence: plan.segments.map((p) => segmentItem(segments[p.inputIndex], p, algorithm)),
    ...dimensions(deriveResultUid(uidInputs, 'dimension-organization')),
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [sharedGroups(series)],
    ReferencedSeriesSequence: [referencedSeries(series, sources)],
  };
  return {
    bytes: writePart10(dataset, packFrames(labels, plan, frames),
      encodePerFrameGroups(frames.map((f) => perFrameItem(f, sources, series)))),
    sopInstanceUid, seriesInstanceUid,
    segments: plan.segments.map((p) => ({
      number: p.number, label: segments[p.inputIndex].label, voxelCount: p.voxelCount,
      volumeMl: (p.voxelCount * series.voxelVolumeMm3) / 1000,
    })),
    absent: plan.absentInputIndexes.map((i) => segments[i].label),
    labels,
  };
}

export function resultUidInputs(series: { seriesInstanceUid: string }, algorithm: AlgorithmIdentity,
  job: JobIdentity): UidInputs {
  return { uidRoot: job.uidRoot, sourceSeriesUid: series.seriesInstanceUid, modelId: algorithm.modelId,
    modelVersion: algorithm.version, jobId: job.jobId };
}

function checkLabels(labels: LabelVolume, series: SourceSeries, slices: number): void {
  const [cols, rows, depth] = labels?.dims ?? [];
  if (cols !== series.columns || rows !== series.rows || depth !== slices) {
    throw new EncodeError('ENC_LABEL_DIMS',
      `label volume is ${labels?.dims?.join('×')} but the sources are ${series.columns}×${series.rows}×${slices}`);
  }
  if (!(labels.data instanceof Uint8Array) || labels.data.length !== cols * rows * depth) {
    throw new EncodeError('ENC_LABEL_DIMS', `label data must be a Uint8Array of ${cols * rows * depth} voxels`);
  }
}

function segmentItem(d: SegmentDescription, p: SegmentPlan, algorithm: AlgorithmIdentity): NaturalDataset {
  return {
    SegmentNumber: p.number, SegmentLabel: d.label,
    SegmentedPropertyCategoryCodeSequence: [codeItem(d.category)],
    SegmentedPropertyTypeCodeSequence: [{ ...codeItem(d.type),
      ...(d.typeModifier ? { SegmentedPropertyTypeModifierCodeSequence: [codeItem(d.typeModifier)] } : {}) }],
    SegmentAlgorithmType: 'AUTOMATIC', SegmentAlgorithmName: algorithm.name,
    SegmentationAlgorithmIdentificationSequence: [{
      AlgorithmFamilyCodeSequence: [codeItem(algorithm.family)],
      AlgorithmName: algorithm.name, AlgorithmVersion: algorithm.version,
    }],
    RecommendedDisplayCIELabValue: rgbToDicomLab(d.colorRgb),
  };
}

/** LossyImageCompression is inherited: once lossy, every derived object says so (PS3.3 C.7.6.1.1.5). */
function lossyCompression(series: SourceSeries, sources: SourceSlice[]): NaturalDataset {
  if (!series.lossy) return { LossyImageCompression: '00' };
  const lossy = sources.find((s) => String(s.dataset.LossyImageCompression ?? '').trim() === '01')!.dataset;
  return {
    LossyImageCompression: '01',
    ...(lossy.LossyImageCompressionRatio !== undefined
      ? { LossyImageCompressionRatio: lossy.LossyImageCompressionRatio } : {}),
    ...(lossy.LossyImageCompressionMethod !== undefined
      ? { LossyImageCompressionMethod: lossy.LossyImageCompressionMethod } : {}),
  };
}

/** Frames are indexed by segment number, then by the source slice's position (PS3.3 C.8.20.2.4). */
function dimensions(organizationUid: string): NaturalDataset {
  return {
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organizationUid }],
    DimensionOrganizationType: '3D',
    DimensionIndexSequence: [
      { DimensionOrganizationUID: organizationUid, DimensionIndexPointer: 0x0062000b,
        FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'Segment Number' },
      { DimensionOrganizationUID: organizationUid, DimensionIndexPointer: 0x00200032,
        FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'Image Position Patient' },
    ],
  };
}

function sharedGroups(series: SourceSeries): NaturalDataset {
  const measures: NaturalDataset = { PixelSpacing: series.pixelSpacing };
  measures.SliceThickness = series.sliceThickness ?? series.sliceSpacingMm;
  if (series.evenlySpaced && series.sliceSpacingMm !== undefined) measures.SpacingBetweenSlices = series.sliceSpacingMm;
  return {
    PixelMeasuresSequence: [measures],
    PlaneOrientationSequence: [{ ImageOrientationPatient: series.orientation }],
  };
}

/** Per frame: source image (DCM 121322, locations preserved), dimension indexes, plane position, segment. */
function perFrameItem(frame: SegFrame, sources: SourceSlice[], series: SourceSeries): PerFrameItem {
  const source = sources[frame.slice];
  return {
    sourceSopClassUid: source.sopClassUid, sourceSopInstanceUid: source.sopInstanceUid,
    segmentNumber: frame.segmentNumber, positionIndex: frame.slice + 1, position: series.positions[frame.slice],
  };
}

function referencedSeries(series: SourceSeries, sources: SourceSlice[]): NaturalDataset {
  return {
    SeriesInstanceUID: series.seriesInstanceUid,
    ReferencedInstanceSequence: sources.map(
      (s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
  };
}

/** Stand-in for a SEG when the model found none of its segments: the SR then reports every one as absent. */
export function nothingSegmented(segments: SegmentDescription[]): SegmentationResult {
  return { bytes: new Uint8Array(0), sopInstanceUid: '', seriesInstanceUid: '', segments: [], absent: segments.map(
    (s) => s.label) };
}
