// Builders for SR content items (PS3.3 C.17.3): each returns one naturalized ContentSequence item.
import type { Code } from './types.js';
import type { NaturalDataset } from './dicom-io.js';
import { codeItem } from './composite-context.js';

export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'HAS ACQ CONTEXT'
  | 'INFERRED FROM' | 'SELECTED FROM';

/** Concept names used by this report, one place so tests and readers can refer to them. */
export const CONCEPT = {
  report: dcm('126000', 'Imaging Measurement Report'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  observerType: dcm('121005', 'Observer Type'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  deviceObserverSerialNumber: dcm('121016', 'Device Observer Serial Number'),
  procedureReported: dcm('121058', 'Procedure reported'),
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  findingSite: sct('363698007', 'Finding Site'),
  laterality: sct('272741003', 'Laterality'),
  topographicalModifier: sct('106233006', 'Topographical modifier'),
  referencedSegment: dcm('121191', 'Referenced Segment'),
  imageRegion: dcm('111030', 'Image Region'),
  sourceSeriesForSegmentation: dcm('121232', 'Source series for segmentation'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  volume: sct('118565006', 'Volume'),
  measurementMethod: sct('370129005', 'Measurement Method'),
  sumOfVoxelVolumes: dcm('126030', 'Sum of segmented voxel volumes'),
  attenuation: dcm('112031', 'Attenuation Coefficient'),
  derivation: dcm('121401', 'Derivation'),
  mean: sct('373098007', 'Mean'),
  stdDev: sct('386136009', 'Standard Deviation'),
  min: sct('255605001', 'Minimum'),
  max: sct('56851009', 'Maximum'),
  qualitativeEvaluations: { scheme: 'UMLS', value: 'C0034375', meaning: 'Qualitative Evaluations' },
  absent: sct('2667000', 'Absent'),
  present: sct('52101004', 'Present'),
  algorithmParameters: dcm('111002', 'Algorithm Parameters'),
  sourceOfMeasurement: dcm('121112', 'Source of Measurement'),
  // detection report (sr-detection.ts): a box is an Image Region with its Certainty of Finding
  certaintyOfFinding: dcm('111012', 'Certainty of Finding'),
} satisfies Record<string, Code>;

export const UNIT = {
  ml: { scheme: 'UCUM', value: 'ml', meaning: 'milliliter' },
  hu: { scheme: 'UCUM', value: "[hnsf'U]", meaning: 'Hounsfield unit' },
  noUnits: { scheme: 'UCUM', value: '1', meaning: 'no units' },
} satisfies Record<string, Code>;

export function container(rel: Relationship | undefined, concept: Code, children: NaturalDataset[],
  templateId?: string): NaturalDataset {
  return {
    ...(rel ? { RelationshipType: rel } : {}), ValueType: 'CONTAINER', ConceptNameCodeSequence: [codeItem(concept)],
    ContinuityOfContent: 'SEPARATE',
    ...(templateId ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: templateId }] } : {}),
    ContentSequence: children,
  };
}

export function code(rel: Relationship, concept: Code, value: Code, children?: NaturalDataset[]): NaturalDataset {
  return withChildren({ RelationshipType: rel, ValueType: 'CODE', ConceptNameCodeSequence: [codeItem(concept)],
    ConceptCodeSequence: [codeItem(value)] }, children);
}

export function text(rel: Relationship, concept: Code, value: string): NaturalDataset {
  return { RelationshipType: rel, ValueType: 'TEXT', ConceptNameCodeSequence: [codeItem(concept)], TextValue: value };
}

export function uidRef(rel: Relationship, concept: Code, uid: string): NaturalDataset {
  return { RelationshipType: rel, ValueType: 'UIDREF', ConceptNameCodeSequence: [codeItem(concept)], UID: uid };
}

export function num(rel: Relationship, concept: Code, value: number, unit: Code,
  children?: NaturalDataset[]): NaturalDataset {
  return withChildren({
    RelationshipType: rel, ValueType: 'NUM', ConceptNameCodeSequence: [codeItem(concept)],
    MeasuredValueSequence: [{ NumericValue: decimalString(value), FloatingPointValue: value,
      MeasurementUnitsCodeSequence: [codeItem(unit)] }],
  }, children);
}

/** IMAGE item; concept is absent for Image Library entries (TID 1601), a segment number for Referenced Segment. */
export function image(rel: Relationship, concept: Code | undefined, sopClassUid: string, sopInstanceUid: string,
  segmentNumber?: number, frameNumber?: number): NaturalDataset {
  return {
    RelationshipType: rel, ValueType: 'IMAGE', ...(concept ? { ConceptNameCodeSequence: [codeItem(concept)] } : {}),
    ReferencedSOPSequence: [{
      ReferencedSOPClassUID: sopClassUid, ReferencedSOPInstanceUID: sopInstanceUid,
      ...(segmentNumber !== undefined ? { ReferencedSegmentNumber: segmentNumber } : {}),
      ...(frameNumber !== undefined ? { ReferencedFrameNumber: frameNumber } : {}),
    }],
  };
}

/** SCOORD (2D, image pixels, PS3.3 C.18.6) selected from one image, or one frame of a multi-frame image. */
export function scoord(
  rel: Relationship, concept: Code, graphicType: 'POINT' | 'POLYLINE' | 'CIRCLE' | 'ELLIPSE', points: number[],
  source: { sopClassUid: string; sopInstanceUid: string; frameNumber?: number },
): NaturalDataset {
  return {
    RelationshipType: rel, ValueType: 'SCOORD', ConceptNameCodeSequence: [codeItem(concept)],
    GraphicType: graphicType, GraphicData: points,
    ContentSequence: [{
      RelationshipType: 'SELECTED FROM', ValueType: 'IMAGE',
      ReferencedSOPSequence: [{
        ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid,
        ...(source.frameNumber !== undefined ? { ReferencedFrameNumber: source.frameNumber } : {}),
      }],
    }],
  };
}

/** DS allows 16 characters: keep as many significant digits as fit (FloatingPointValue carries the full value). */
export function decimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`cannot encode ${value} as DS`);
  for (let digits = 15; digits > 0; digits--) {
    const s = String(Number(value.toPrecision(digits)));
    if (s.length <= 16) return s;
  }
  return value.toExponential(8);
}

function withChildren(item: NaturalDataset, children?: NaturalDataset[]): NaturalDataset {
  return children && children.length > 0 ? { ...item, ContentSequence: children } : item;
}

function dcm(value: string, meaning: string): Code { return { scheme: 'DCM', value, meaning }; }
function sct(value: string, meaning: string): Code { return { scheme: 'SCT', value, meaning }; }
