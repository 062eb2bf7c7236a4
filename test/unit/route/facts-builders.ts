// Builds StudyFacts by hand (and from real DICOM files) for the rules engine tests.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  evaluateRules, type Condition, type ConditionTrace, type Rule, type SeriesFacts, type StudyFacts
} from '../../../src/route/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const realData = path.resolve(repoRoot, '../shared/testdata/real');

export const AXIAL = [1, 0, 0, 0, 1, 0];
export const CORONAL = [1, 0, 0, 0, 0, -1];
export const SAGITTAL = [0, 1, 0, 0, 0, -1];

export function series(uid: string, header: Record<string, unknown>, numberOfInstances = 1): SeriesFacts {
  return { seriesInstanceUid: uid, header, numberOfInstances };
}

export function study(header: Record<string, unknown>, seriesList: SeriesFacts[] = [],
  extra: Partial<StudyFacts> = {}): StudyFacts {
  return {
    studyInstanceUid: '1.2.826.0.1.3680043.8.498.1',
    header, callingAe: 'CT_SCANNER', calledAe: 'AI_NODE', source: 'dimse',
    completedAt: new Date(2024, 4, 14, 10, 15), series: seriesList, ...extra,
  };
}

export function rule(id: string, fields: Partial<Rule> = {}): Rule {
  return { id, name: `rule ${id}`, enabled: true, priority: 10, then: 'continue', actions: [{ type: 'discard' }],
    ...fields };
}

/** Evaluates one condition on a study header through the public entry point and returns its trace. */
export function checkOn(condition: Condition, header: Record<string, unknown>,
  extra: Partial<StudyFacts> = {}): ConditionTrace {
  const decision = evaluateRules({ rules: [rule('r', { when: condition })] }, study(header, [], extra));
  const trace = decision.outcomes[0]!.trace;
  if (trace.length !== 1) throw new Error(`expected one trace, got ${trace.length}`);
  return trace[0]!;
}

interface Dcmjs {
  data: {
    DicomMessage: { readFile(b: ArrayBuffer, o: object): { dict: Record<string, unknown> } };
    DicomMetaDictionary: { naturalizeDataset(d: Record<string, unknown>): Record<string, unknown> };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

/** The naturalized header of a real file, read up to PixelData as the node does. */
export function readHeader(relative: string): Record<string, unknown> {
  const bytes = fs.readFileSync(path.join(realData, relative));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const header = dcmjs.data.DicomMetaDictionary.naturalizeDataset(
    dcmjs.data.DicomMessage.readFile(buffer, { untilTag: '7FE00010' }).dict);
  delete header.PixelData;
  return header;
}

/** StudyFacts from real files: one series per SeriesInstanceUID, the first file of each as its header. */
export function studyFromFiles(relatives: string[]): StudyFacts {
  const bySeries = new Map<string, SeriesFacts>();
  for (const r of relatives) {
    const header = readHeader(r);
    const uid = String(header.SeriesInstanceUID);
    const known = bySeries.get(uid);
    if (known) known.numberOfInstances++;
    else bySeries.set(uid, series(uid, header, 1));
  }
  const first = [...bySeries.values()][0]!;
  return study(first.header, [...bySeries.values()], { studyInstanceUid: String(first.header.StudyInstanceUID) });
}
