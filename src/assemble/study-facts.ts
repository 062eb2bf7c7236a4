// What the router sees of a study: per series the header of a representative instance (read from
// the stored file, headers only) and counts, plus the node facts (calling/called AE, source).
import dcmjs from 'dcmjs';
import type { Db } from '../db/database.js';
import { countInstancesOfSeries, firstInstancePathOfSeries, studyOrigin } from '../db/instances.js';
import { seriesUidsOfStudy } from '../db/studies.js';
import { findingsOfStudy } from '../db/findings.js';
import { readHeaderBytes } from '../dicom/header-bytes.js';
import type { SeriesFacts, StudyFacts } from '../route/types.js';

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

export function buildStudyFacts(db: Db, studyUid: string, completedAt = new Date()): StudyFacts | undefined {
  const series = seriesUidsOfStudy(db, studyUid);
  if (series.length === 0) return undefined;
  const facts: SeriesFacts[] = series.map((uid) => {
    const first = firstInstancePathOfSeries(db, uid)!;
    return { seriesInstanceUid: uid, header: readHeader(readHeaderBytes(first)),
      numberOfInstances: countInstancesOfSeries(db, uid) };
  });
  const origin = studyOrigin(db, studyUid)!;
  return { studyInstanceUid: studyUid, header: facts[0].header, ...origin, completedAt, series: facts,
    findings: findingsOfStudy(db, studyUid) };
}

/** Facts from instance headers given directly (a dry run on uploaded DICOM): grouped by series. */
export function factsFromHeaders(headers: Array<Record<string, unknown>>,
  origin: Pick<StudyFacts, 'callingAe' | 'calledAe' | 'source'>): StudyFacts {
  const bySeries = new Map<string, SeriesFacts>();
  for (const h of headers) {
    const uid = String(h.SeriesInstanceUID ?? 'unknown-series');
    const s = bySeries.get(uid) ?? { seriesInstanceUid: uid, header: h, numberOfInstances: 0 };
    s.numberOfInstances++;
    bySeries.set(uid, s);
  }
  const series = [...bySeries.values()];
  return { studyInstanceUid: String(headers[0]?.StudyInstanceUID ?? 'unknown-study'),
    header: series[0]?.header ?? {}, ...origin, completedAt: new Date(), series };
}

/** A naturalized header (dcmjs keywords) of a Part-10 file, without pixel data. */
export function readHeader(bytes: Uint8Array): Record<string, unknown> {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dict = DicomMessage.readFile(ab, { untilTag: '7FE00010', includeUntilTagValue: false });
  return DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
}

/** DICOM JSON (PS3.18 F) instances → naturalized headers. */
export function headersFromDicomJson(json: unknown): Array<Record<string, unknown>> {
  const list = Array.isArray(json) ? json : [json];
  return list.map((item) => DicomMetaDictionary.naturalizeDataset(item) as Record<string, unknown>);
}
