// The Enhanced SR document around a TID 1500 content tree: header modules, observer context, Image Library. Shared by
// the segmentation report (sr.ts) and the detection report (sr-detection.ts), so both identify the node alike.
import type { AlgorithmIdentity, Code, JobIdentity, SourceSlice } from './types.js';
import type { NaturalDataset } from './dicom-io.js';
import { dicomDate, dicomTime, equipment, patientAndStudy, NODE_NAME } from './composite-context.js';
import { deriveNodeDeviceUid } from './uids.js';
import { CONCEPT, code, container, image, text, uidRef } from './sr-content.js';
import { SOP } from '../dicom/uids.js';

const SR_SERIES_NUMBER = 9702;

export interface ReportDocument {
  /** header of the first source: patient and study are copied from it */
  first: Record<string, unknown>;
  modality: string;
  sources: SourceSlice[];
  sopInstanceUid: string; seriesInstanceUid: string;
  algorithm: AlgorithmIdentity; job: JobIdentity;
  /** CurrentRequestedProcedureEvidenceSequence items (one per study) */
  evidence: NaturalDataset[];
  /** the root container's items after the observer context and the Image Library */
  content: NaturalDataset[];
  codingSchemes?: NaturalDataset[];
  /** SeriesDescription suffix: "<algorithm> measurements" */
  description?: string;
}

export function measurementReportDataset(d: ReportDocument): NaturalDataset {
  const now = new Date();
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SOP.enhancedSrStorage, SOPInstanceUID: d.sopInstanceUid,
    ...(d.codingSchemes?.length ? { CodingSchemeIdentificationSequence: d.codingSchemes } : {}),
    InstanceCreationDate: dicomDate(now), InstanceCreationTime: dicomTime(now), TimezoneOffsetFromUTC: '+0000',
    ...patientAndStudy(d.first),
    Modality: 'SR', SeriesInstanceUID: d.seriesInstanceUid, SeriesNumber: SR_SERIES_NUMBER,
    SeriesDescription: `${d.algorithm.name} ${d.description ?? 'measurements'}`.slice(0, 64),
    ReferencedPerformedProcedureStepSequence: [],
    ...equipment(d.algorithm, d.job, now),
    InstanceNumber: 1, CompletionFlag: 'COMPLETE', VerificationFlag: 'UNVERIFIED',
    ContentDate: dicomDate(now), ContentTime: dicomTime(now),
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: d.evidence,
    ...container(undefined, CONCEPT.report, [
      ...contextItems(d.modality, d.job),
      imageLibrary(d.sources),
      ...d.content,
    ], '1500'),
  };
}

/** TID 1204 language, TID 1002/1004 device observer (this node), procedure reported. */
function contextItems(modality: string, job: JobIdentity): NaturalDataset[] {
  const serial = job.deviceSerialNumber ?? '0';
  return [
    code('HAS CONCEPT MOD', CONCEPT.language,
      { scheme: 'RFC5646', value: 'en-US', meaning: 'English (United States)' }),
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

/** TID 1600: the source images the measurements were made on (a multi-frame instance once). */
function imageLibrary(sources: SourceSlice[]): NaturalDataset {
  const seen = new Set<string>();
  const unique = sources.filter((s) => !seen.has(s.sopInstanceUid) && seen.add(s.sopInstanceUid) !== undefined);
  return container('CONTAINS', CONCEPT.imageLibrary, [
    container('CONTAINS', CONCEPT.imageLibraryGroup,
      unique.map((s) => image('CONTAINS', undefined, s.sopClassUid, s.sopInstanceUid))),
  ]);
}
