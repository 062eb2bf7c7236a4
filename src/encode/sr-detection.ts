// Detection boxes → an Enhanced SR holding a TID 1500 Measurement Report (IHE AI Results): one TID 1410 planar ROI
// group per box (Image Region = the rectangle as a closed POLYLINE on its source image, tracking identifier and UID,
// the finding, the confidence as Certainty of Finding), and each class with no box as an Absent qualitative evaluation.
import type { AlgorithmIdentity, JobIdentity, MeasurementReportResult, SourceSlice } from './types.js';
import type { Detection, DetectionClass } from '../infer/detect/index.js';
import { EncodeError } from './errors.js';
import { checkUidRoot, deriveResultUid } from './uids.js';
import { writePart10, type NaturalDataset } from './dicom-io.js';
import { resultUidInputs } from './seg.js';
import { CONCEPT, UNIT, code, container, num, scoord, text, uidRef } from './sr-content.js';
import { measurementReportDataset } from './sr-document.js';

export interface DetectionReportInput {
  /** the image (a 2D model: one source) or the series' slices (a per-slice model: Detection.slice indexes them) */
  sources: SourceSlice[];
  /** boxes in source pixels, as postprocessDetections returns them */
  detections: Detection[];
  /** every class the model looks for: a class without a box is reported absent */
  classes: DetectionClass[];
  algorithm: AlgorithmIdentity;
  job: JobIdentity;
}

export function encodeDetectionReport(input: DetectionReportInput): MeasurementReportResult {
  const { sources, detections, classes, algorithm, job } = input;
  checkUidRoot(job.uidRoot);
  const identity = checkSources(sources);
  const uidInputs = resultUidInputs(identity, algorithm, job);
  const groups = detections.map((d, n) => boxGroup(d, n, sourceOf(d, sources), algorithm,
    deriveResultUid(uidInputs, `tracking-${n + 1}`)));
  const absent = classes.filter((c) => !detections.some((d) => sameCode(d.code, c.code)));
  const dataset = measurementReportDataset({
    first: sources[0].dataset, modality: identity.modality, sources, algorithm, job, description: 'detections',
    sopInstanceUid: deriveResultUid(uidInputs, 'sr-instance'), seriesInstanceUid: deriveResultUid(uidInputs,
      'sr-series'),
    evidence: [evidence(identity.studyInstanceUid, sources)],
    content: [
      ...(groups.length > 0 ? [container('CONTAINS', CONCEPT.imagingMeasurements, groups)] : []),
      ...(absent.length > 0 ? [container('CONTAINS', CONCEPT.qualitativeEvaluations,
        absent.map((c) => code('CONTAINS', c.code, CONCEPT.absent)))] : []),
    ],
  });
  return { bytes: writePart10(dataset), sopInstanceUid: dataset.SOPInstanceUID as string,
    seriesInstanceUid: dataset.SeriesInstanceUID as string };
}

/** TID 1410: Tracking Identifier "<finding> <n>" and UID, Finding, Image Region (5 points, first = last),
 *  confidence. */
function boxGroup(d: Detection, n: number, source: SourceSlice, algorithm: AlgorithmIdentity,
  trackingUid: string): NaturalDataset {
  const { x1, y1, x2, y2 } = d.box;
  return container('CONTAINS', CONCEPT.measurementGroup, [
    text('HAS OBS CONTEXT', CONCEPT.trackingIdentifier, `${d.code.meaning} ${n + 1}`.slice(0, 64)),
    uidRef('HAS OBS CONTEXT', CONCEPT.trackingUid, trackingUid),
    code('CONTAINS', CONCEPT.finding, d.code),
    scoord('CONTAINS', CONCEPT.imageRegion, 'POLYLINE', [x1, y1, x2, y1, x2, y2, x1, y2, x1, y1], source),
    num('CONTAINS', CONCEPT.certaintyOfFinding, d.score, UNIT.noUnits, [
      text('HAS CONCEPT MOD', CONCEPT.algorithmName, algorithm.name),
      text('HAS CONCEPT MOD', CONCEPT.algorithmVersion, algorithm.version),
    ]),
  ], '1410');
}

interface SourceIdentity { seriesInstanceUid: string; studyInstanceUid: string; modality: string }

/** Every source needs its SOP UIDs and the same study; sizes are checked per box (slices of one series share them). */
function checkSources(sources: SourceSlice[]): SourceIdentity {
  if (!Array.isArray(sources) || sources.length === 0) throw new EncodeError('ENC_NO_SOURCES', 'no source image given');
  const study = String(sources[0].dataset.StudyInstanceUID ?? '').trim();
  const series = String(sources[0].dataset.SeriesInstanceUID ?? '').trim();
  if (!study || !series) throw new EncodeError('ENC_SOURCE_HEADER', 'source 0 lacks its Study or Series Instance UID');
  sources.forEach((s, k) => {
    if (!s.sopInstanceUid || !s.sopClassUid) throw new EncodeError('ENC_SOURCE_HEADER',
      `source ${k} lacks its SOP Class/Instance UID`);
    if (String(s.dataset.StudyInstanceUID ?? '').trim() !== study) throw new EncodeError('ENC_SOURCES_MIXED',
      `source ${k} belongs to another study`);
  });
  return { studyInstanceUid: study, seriesInstanceUid: series, modality: String(sources[0].dataset.Modality ?? '') };
}

/** The box's source image; its corners must lie on that image (0..Columns, 0..Rows) and its score be finite. */
function sourceOf(d: Detection, sources: SourceSlice[]): SourceSlice {
  const k = d.slice ?? 0;
  const source = sources[k];
  if (!source || (d.slice === undefined && sources.length > 1)) {
    throw new EncodeError('ENC_DETECTIONS', d.slice === undefined
      ? `a box without a slice index, but ${sources.length} sources`
      : `a box on slice ${k}, but ${sources.length} sources`);
  }
  const columns = Number(source.dataset.Columns);
  const rows = Number(source.dataset.Rows);
  const { x1, y1, x2, y2 } = d.box;
  const inside = [x1, x2].every((x) => x >= 0 && x <= columns) && [y1, y2].every((y) => y >= 0 && y <= rows);
  if (!inside || !(x2 > x1 && y2 > y1)) {
    throw new EncodeError('ENC_DETECTIONS',
      `box [${x1}, ${y1}, ${x2}, ${y2}] is not a rectangle on its ${columns}×${rows} image`);
  }
  if (!Number.isFinite(d.score)) throw new EncodeError('ENC_DETECTIONS', `a box has score ${d.score}`);
  return source;
}

function evidence(studyInstanceUid: string, sources: SourceSlice[]): NaturalDataset {
  const bySeries = new Map<string, NaturalDataset[]>();
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.sopInstanceUid)) continue;
    seen.add(s.sopInstanceUid);
    const uid = String(s.dataset.SeriesInstanceUID ?? '').trim();
    bySeries.set(uid, [...(bySeries.get(uid) ?? []),
      { ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid }]);
  }
  return {
    StudyInstanceUID: studyInstanceUid,
    ReferencedSeriesSequence: [...bySeries].map(
      ([uid, refs]) => ({ SeriesInstanceUID: uid, ReferencedSOPSequence: refs })),
  };
}

function sameCode(a: { scheme: string; value: string }, b: { scheme: string; value: string }): boolean {
  return a.scheme === b.scheme && a.value === b.value;
}
