// Retraction of a delivered result: an IHE IOCM Rejection Note, a Key Object Selection Document (PS3.3 A.35.4,
// PS3.16 TID 2010) whose title says why (CID 7010) and which lists every rejected instance in its content and in
// Current Requested Procedure Evidence, in the study of the rejected objects and in a new series of its own.
import type { Code } from './types.js';
import { EncodeError } from './errors.js';
import {
  codeItem, dicomDate, dicomTime, NODE_DEFAULT_VERSION, NODE_NAME, patientAndStudy
} from './composite-context.js';
import { checkUidRoot, deriveNodeDeviceUid, deriveRejectionNoteUid } from './uids.js';
import { writePart10, type NaturalDataset } from './dicom-io.js';
import { code, image, text, uidRef } from './sr-content.js';
import { SOP } from '../dicom/uids.js';

const KOS_SERIES_NUMBER = 9703;   // after the SEG (9701) and SR (9702) series of the node
const ENGLISH_US: Code = { scheme: 'RFC5646', value: 'en-US', meaning: 'English (United States)' };

/** CID 7010 titles an IOCM Rejection Note uses here. */
export const REJECTION_TITLE = {
  quality: dcm('113001', 'Rejected for Quality Reasons'),
  safety: dcm('113037', 'Rejected for Patient Safety Reasons'),
} satisfies Record<string, Code>;

/** CID 7011 "Rejected for Quality Reasons": the Document Title Modifiers TID 2010 allows with title 113001. */
export const QUALITY_REJECTION_REASONS: readonly Code[] = [
  dcm('111207', 'Image artifact(s)'), dcm('111208', 'Grid artifact(s)'), dcm('111209', 'Positioning'),
  dcm('111210', 'Motion blur'), dcm('111211', 'Under exposed'), dcm('111212', 'Over exposed'),
  dcm('111213', 'No image'),
  dcm('111214', 'Detector artifact(s)'), dcm('111215', 'Artifact(s) other than grid or detector artifact'),
  dcm('111216', 'Mechanical failure'), dcm('111217', 'Electrical failure'), dcm('111218', 'Software failure'),
  dcm('111219', 'Inappropriate image processing'), dcm('111220', 'Other failure'), dcm('111221', 'Unknown failure'),
  dcm('113026', 'Double exposure'),
];

const CONCEPT = {
  titleModifier: dcm('113011', 'Document Title Modifier'),
  keyObjectDescription: dcm('113012', 'Key Object Description'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  observerType: dcm('121005', 'Observer Type'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
} satisfies Record<string, Code>;

export interface RejectionNoteRequest {
  /** naturalized headers (PixelData not needed) of the rejected objects, e.g. the delivered SEG and SR */
  rejected: NaturalDataset[];
  /** the result retracted and which retraction of it (a number or id): together they fix the note's UIDs */
  resultId: string;
  retraction: string | number;
  uidRoot: string;
  /** true: 113037 Rejected for Patient Safety Reasons; else 113001 Rejected for Quality Reasons */
  safety?: boolean;
  /** the reviewer's reason, written as the Key Object Description (TEXT, cut to the 1024 characters UT allows here) */
  reason?: string;
  /** a CID 7011 code (quality rejections only), written as Document Title Modifier */
  qualityReason?: Code;
  manufacturer?: string; deviceSerialNumber?: string; softwareVersion?: string;
  /** creation time (tests pin it); default now */
  now?: Date;
}

export interface RejectionNoteResult {
  bytes: Uint8Array; sopInstanceUid: string; seriesInstanceUid: string; studyInstanceUid: string;
  /** the instances the note rejects, as listed in it */
  rejected: Array<{ sopClassUid: string; sopInstanceUid: string; seriesInstanceUid: string }>;
}

export function encodeRejectionNote(request: RejectionNoteRequest): RejectionNoteResult {
  checkUidRoot(request.uidRoot);
  const rejected = rejectedInstances(request.rejected);
  const studyInstanceUid = rejected[0].studyInstanceUid;
  const title = request.safety ? REJECTION_TITLE.safety : REJECTION_TITLE.quality;
  const modifier = qualityModifier(request);
  const retraction = String(request.retraction);
  const sopInstanceUid = deriveRejectionNoteUid(request.uidRoot, request.resultId, retraction, 'kos-instance');
  const seriesInstanceUid = deriveRejectionNoteUid(request.uidRoot, request.resultId, retraction, 'kos-series');
  const now = request.now ?? new Date();
  const serial = request.deviceSerialNumber ?? '0';
  const reason = request.reason?.trim().slice(0, 1024);
  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: SOP.keyObjectSelectionDocumentStorage, SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: dicomDate(now), InstanceCreationTime: dicomTime(now), TimezoneOffsetFromUTC: '+0000',
    ...patientAndStudy(request.rejected[0]),
    Modality: 'KO', SeriesInstanceUID: seriesInstanceUid, SeriesNumber: KOS_SERIES_NUMBER,
    SeriesDescription: 'Rejection note', ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: request.manufacturer ?? NODE_NAME, ManufacturerModelName: NODE_NAME, DeviceSerialNumber: serial,
    SoftwareVersions: request.softwareVersion ?? NODE_DEFAULT_VERSION,
    InstanceNumber: 1, ContentDate: dicomDate(now), ContentTime: dicomTime(now),
    CurrentRequestedProcedureEvidenceSequence: evidence(studyInstanceUid, rejected),
    ValueType: 'CONTAINER', ConceptNameCodeSequence: [codeItem(title)], ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '2010' }],
    ContentSequence: [
      ...(modifier ? [code('HAS CONCEPT MOD', CONCEPT.titleModifier, modifier)] : []),
      code('HAS CONCEPT MOD', CONCEPT.language, ENGLISH_US),
      code('HAS OBS CONTEXT', CONCEPT.observerType, { scheme: 'DCM', value: '121007', meaning: 'Device' }),
      uidRef('HAS OBS CONTEXT', CONCEPT.deviceObserverUid, deriveNodeDeviceUid(request.uidRoot, serial)),
      text('HAS OBS CONTEXT', CONCEPT.deviceObserverName, NODE_NAME),
      ...(reason ? [text('CONTAINS', CONCEPT.keyObjectDescription, reason)] : []),
      ...rejected.map((r) => (
        r.isImage ? image('CONTAINS', undefined, r.sopClassUid, r.sopInstanceUid) : composite(r))),
    ],
  };
  return {
    bytes: writePart10(dataset), sopInstanceUid, seriesInstanceUid, studyInstanceUid,
    rejected: rejected.map((r) => (
      { sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid, seriesInstanceUid: r.seriesInstanceUid })),
  };
}

interface RejectedInstance {
  sopClassUid: string; sopInstanceUid: string; seriesInstanceUid: string; studyInstanceUid: string; isImage: boolean;
}

/** Each rejected header must name itself fully; one note rejects instances of one study only (IOCM). */
function rejectedInstances(headers: NaturalDataset[]): RejectedInstance[] {
  if (!Array.isArray(headers) || headers.length === 0) refuse('no rejected objects given');
  const seen = new Set<string>();
  const out = headers.map((h, n) => {
    const r: RejectedInstance = {
      sopClassUid: uid(h, 'SOPClassUID', n), sopInstanceUid: uid(h, 'SOPInstanceUID', n),
      seriesInstanceUid: uid(h, 'SeriesInstanceUID', n), studyInstanceUid: uid(h, 'StudyInstanceUID', n),
      // an image IOD (SEG included) is referenced by an IMAGE item, anything else (SR) by a COMPOSITE item
      isImage: Number(h.Rows) > 0 && Number(h.Columns) > 0,
    };
    if (seen.has(r.sopInstanceUid)) refuse(`rejected object ${n} repeats SOP Instance UID ${r.sopInstanceUid}`);
    seen.add(r.sopInstanceUid);
    return r;
  });
  const other = out.find((r) => r.studyInstanceUid !== out[0].studyInstanceUid);
  if (other) refuse(
    `rejected objects span two studies (${out[0].studyInstanceUid}, ${other.studyInstanceUid}): one note per study`);
  return out;
}

function qualityModifier(request: RejectionNoteRequest): Code | undefined {
  const reason = request.qualityReason;
  if (!reason) return undefined;
  if (request.safety) {
    throw new EncodeError('ENC_REJECTION_REASON',
      'a CID 7011 quality reason goes with a quality rejection only, not with safety');
  }
  const known = QUALITY_REJECTION_REASONS.find((c) => c.value === reason.value && c.scheme === reason.scheme);
  if (!known) {
    throw new EncodeError('ENC_REJECTION_REASON',
      `(${reason.value}, ${reason.scheme}) is not in CID 7011 Rejected for Quality Reasons`);
  }
  return known;
}

/** Current Requested Procedure Evidence: study → series → SOP instances, one series item per rejected series. */
function evidence(studyInstanceUid: string, rejected: RejectedInstance[]): NaturalDataset[] {
  const bySeries = new Map<string, RejectedInstance[]>();
  for (const r of rejected) bySeries.set(r.seriesInstanceUid, [...(bySeries.get(r.seriesInstanceUid) ?? []), r]);
  return [{
    StudyInstanceUID: studyInstanceUid,
    ReferencedSeriesSequence: [...bySeries].map(([series, list]) => ({
      SeriesInstanceUID: series,
      ReferencedSOPSequence: list.map(sopReference),
    })),
  }];
}

function composite(r: RejectedInstance): NaturalDataset {
  return { RelationshipType: 'CONTAINS', ValueType: 'COMPOSITE', ReferencedSOPSequence: [sopReference(r)] };
}

function sopReference(r: RejectedInstance): NaturalDataset {
  return { ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid };
}

function refuse(message: string): never {
  throw new EncodeError('ENC_REJECTED_OBJECTS', message);
}

function uid(h: NaturalDataset, keyword: string, n: number): string {
  const raw = Array.isArray(h?.[keyword]) ? (h[keyword] as unknown[])[0] : h?.[keyword];
  if (typeof raw !== 'string' || raw.trim() === '') refuse(`rejected object ${n} lacks ${keyword}`);
  return raw.trim();
}

function dcm(value: string, meaning: string): Code { return { scheme: 'DCM', value, meaning }; }
