// Attributes every result object shares: patient, study, frame of reference copied from the source; this node
// as equipment; the model as contributing equipment (IHE AIR); dates and times of creation.
import type { AlgorithmIdentity, JobIdentity } from './types.js';
import type { NaturalDataset } from './dicom-io.js';
import { deriveModelDeviceUid } from './uids.js';

export const NODE_NAME = 'dicom-ai-node';
export const NODE_DEFAULT_VERSION = '0.1.0';

// Type 2 attributes must be present even when the source lacks them (then empty).
const PATIENT_STUDY_TYPE2 = [
  'PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex',
  'StudyDate', 'StudyTime', 'ReferringPhysicianName', 'StudyID', 'AccessionNumber',
];
const PATIENT_STUDY_OPTIONAL = [
  'IssuerOfPatientID', 'OtherPatientIDsSequence', 'PatientAge', 'PatientSize', 'PatientWeight', 'EthnicGroup',
  'PatientIdentityRemoved', 'DeidentificationMethod', 'StudyDescription', 'IssuerOfAccessionNumberSequence',
  'ClinicalTrialSponsorName', 'ClinicalTrialProtocolID', 'ClinicalTrialProtocolName', 'ClinicalTrialSiteID',
  'ClinicalTrialSiteName', 'ClinicalTrialSubjectID', 'ClinicalTrialSubjectReadingID',
];

/** Patient, Clinical Trial Subject, General Study and Patient Study modules copied from the source. */
export function patientAndStudy(source: Record<string, unknown>): NaturalDataset {
  const out: NaturalDataset = {};
  for (const keyword of PATIENT_STUDY_TYPE2)
    out[keyword] = present(source[keyword]) ? source[keyword] : emptyFor(keyword);
  // optional ones are copied even when empty, so dcentvfy sees the same attributes in source and result
  for (const keyword of PATIENT_STUDY_OPTIONAL)
    if (source[keyword] !== undefined && source[keyword] !== null) out[keyword] = source[keyword];
  out.StudyInstanceUID = source.StudyInstanceUID;
  return out;
}

/** General / Enhanced General Equipment: the node; ContributingEquipmentSequence: the model (IHE AIR). */
export function equipment(algorithm: AlgorithmIdentity, job: JobIdentity, now: Date): NaturalDataset {
  return {
    Manufacturer: job.manufacturer ?? NODE_NAME,
    ManufacturerModelName: NODE_NAME,
    DeviceSerialNumber: job.deviceSerialNumber ?? '0',
    SoftwareVersions: job.softwareVersion ?? NODE_DEFAULT_VERSION,
    ContributingEquipmentSequence: [{
      PurposeOfReferenceCodeSequence: [codeItem({ scheme: 'DCM', value: '109102', meaning: 'Processing Equipment' })],
      Manufacturer: job.manufacturer ?? NODE_NAME,
      ManufacturerModelName: algorithm.name,
      SoftwareVersions: algorithm.version,
      DeviceUID: deriveModelDeviceUid(job.uidRoot, algorithm.modelId, algorithm.version),
      ContributionDateTime: dicomDateTime(now),
      ContributionDescription: `${algorithm.name} ${algorithm.version} (model ${algorithm.modelId})`,
    }],
  };
}

export function codeItem(code: { scheme: string; value: string; meaning: string }): NaturalDataset {
  return { CodeValue: code.value, CodingSchemeDesignator: code.scheme, CodeMeaning: code.meaning };
}

export function dicomDate(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

export function dicomTime(d: Date): string {
  return `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** UTC with explicit offset, so the value is unambiguous wherever it is read. */
export function dicomDateTime(d: Date): string {
  return `${dicomDate(d)}${dicomTime(d)}+0000`;
}

function pad(n: number): string { return String(n).padStart(2, '0'); }

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

function emptyFor(keyword: string): unknown {
  return keyword === 'PatientName' || keyword === 'ReferringPhysicianName' ? [] : '';
}
