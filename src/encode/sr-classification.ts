// Classification results → an Enhanced SR holding a TID 1500 Measurement Report (IHE AI Results): one TID 1501
// group per finding with its qualitative evaluation Present (SCT 52101004) or Absent (SCT 2667000) at the operating
// point, the score as a NUM (Certainty of Finding, UCUM 1) and the operating point as an algorithm parameter. An
// image-level finding references its image; a per-slice finding the slices where it is present.
import type { AlgorithmIdentity, Code, JobIdentity, MeasurementReportResult, SourceSlice } from './types.js';
import { EncodeError } from './errors.js';
import { checkUidRoot, deriveResultUid } from './uids.js';
import { writePart10, type NaturalDataset } from './dicom-io.js';
import { resultUidInputs } from './seg.js';
import { CONCEPT, UNIT, code, container, image, num, text, uidRef } from './sr-content.js';
import { measurementReportDataset } from './sr-document.js';

/** One class's answer for one image (or, per slice, for one slice). */
export interface ImageFinding { code: Code; score: number; threshold: number; present: boolean }

/** An image the model classified: its identity (frameNumber for one frame of a multi-frame object) and findings. */
export interface ClassifiedImage {
  sopClassUid: string; sopInstanceUid: string; frameNumber?: number; findings: ImageFinding[]
}

export interface ClassificationReportRequest {
  /** headers of the source images (patient, study and series identity, evidence, image library) */
  sources: SourceSlice[];
  images: ClassifiedImage[];
  /** image: one finding per image and class; perSlice: one finding per class for the series, its slices listed */
  scope: 'image' | 'perSlice';
  algorithm: AlgorithmIdentity;
  job: JobIdentity;
}

interface Group { label: string; finding: ImageFinding; references: ClassifiedImage[] }

export function encodeClassificationReport(r: ClassificationReportRequest): MeasurementReportResult {
  checkUidRoot(r.job.uidRoot);
  const first = r.sources[0]?.dataset;
  if (!first) throw new EncodeError('ENC_NO_SOURCES', 'no source images given');
  const seriesInstanceUid = String(first.SeriesInstanceUID ?? '');
  const studyInstanceUid = String(first.StudyInstanceUID ?? '');
  if (!seriesInstanceUid || !studyInstanceUid) throw new EncodeError('ENC_SOURCE_HEADER',
    'the first source lacks its Study or Series Instance UID');
  if (r.images.length === 0) throw new EncodeError('ENC_FINDINGS', 'no classified image given');
  const uidInputs = resultUidInputs({ seriesInstanceUid }, r.algorithm, r.job);
  const groups = r.scope === 'perSlice' ? perSliceGroups(r.images) : imageGroups(r.images);
  const dataset = measurementReportDataset({
    first, modality: String(first.Modality ?? ''), sources: r.sources, algorithm: r.algorithm, job: r.job,
    description: 'findings', sopInstanceUid: deriveResultUid(uidInputs, 'sr-instance'),
    seriesInstanceUid: deriveResultUid(uidInputs, 'sr-series'),
    evidence: [{
      StudyInstanceUID: studyInstanceUid,
      ReferencedSeriesSequence: [{ SeriesInstanceUID: seriesInstanceUid,
        ReferencedSOPSequence: uniqueSources(r.sources) }],
    }],
    content: [container('CONTAINS', CONCEPT.imagingMeasurements, groups.map((g, n) =>
      findingGroup(g, r.algorithm, deriveResultUid(uidInputs, `tracking-${n + 1}`))))],
  });
  return { bytes: writePart10(dataset), sopInstanceUid: String(dataset.SOPInstanceUID),
    seriesInstanceUid: String(dataset.SeriesInstanceUID) };
}

/** One group per image and class; with several images the tracking identifier says which. */
function imageGroups(images: ClassifiedImage[]): Group[] {
  return images.flatMap((img, n) => img.findings.map((finding) => ({
    label: images.length > 1 ? `${finding.code.meaning} (image ${n + 1})` : finding.code.meaning,
    finding, references: [img],
  })));
}

/** One group per class over all slices: present when any slice is, its score the highest, its slices listed. */
function perSliceGroups(images: ClassifiedImage[]): Group[] {
  return images[0]!.findings.map((f, c) => {
    const perSlice = images.map((img) => img.findings[c]!);
    const best = perSlice.reduce((a, b) => (b.score > a.score ? b : a));
    const present = perSlice.some((s) => s.present);
    return {
      label: f.code.meaning, finding: { ...best, present }, references: images.filter((_, k) => perSlice[k]!.present),
    };
  });
}

/** TID 1501: tracking, the finding, the algorithm and its operating point, the score, the evaluation. */
function findingGroup(g: Group, algorithm: AlgorithmIdentity, trackingUid: string): NaturalDataset {
  const { finding } = g;
  if (!Number.isFinite(finding.score)) throw new EncodeError('ENC_FINDINGS',
    `finding "${finding.code.meaning}" has score ${finding.score}`);
  // TID 1501 row 10b: the images the finding was made on (per slice: the slices where it is present)
  const references = g.references.map((s) =>
    image('CONTAINS', CONCEPT.sourceOfMeasurement, s.sopClassUid, s.sopInstanceUid, undefined, s.frameNumber));
  return container('CONTAINS', CONCEPT.measurementGroup, [
    text('HAS OBS CONTEXT', CONCEPT.trackingIdentifier, g.label.slice(0, 64)),
    uidRef('HAS OBS CONTEXT', CONCEPT.trackingUid, trackingUid),
    code('CONTAINS', CONCEPT.finding, finding.code),
    text('HAS CONCEPT MOD', CONCEPT.algorithmName, algorithm.name),
    text('HAS CONCEPT MOD', CONCEPT.algorithmVersion, algorithm.version),
    text('HAS CONCEPT MOD', CONCEPT.algorithmParameters, operatingPoint(finding.threshold)),
    num('CONTAINS', CONCEPT.certaintyOfFinding, finding.score, UNIT.noUnits),
    ...references,
    code('CONTAINS', finding.code, finding.present ? CONCEPT.present : CONCEPT.absent),
  ], '1501');
}

/** How the decision was made, in words a reader can parse back ("operating point 0.5: …"). */
export function operatingPoint(threshold: number): string {
  return `operating point ${threshold}: Present when the score is at least ${threshold}`;
}

/** Frames of one multi-frame object share its instance: it is referenced once. */
function uniqueSources(sources: SourceSlice[]): NaturalDataset[] {
  const seen = new Set<string>();
  return sources.filter((s) => !seen.has(s.sopInstanceUid) && seen.add(s.sopInstanceUid)).map(
    (s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid }));
}
