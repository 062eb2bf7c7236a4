// Repository for the instances table: one row per stored SOP instance (the file is the payload).
import { prepared, type Db } from './database.js';

export interface InstanceRow {
  sopInstanceUid: string;
  sopClassUid: string;
  studyUid: string;
  seriesUid: string;
  patientId: string | null;
  transferSyntaxUid: string;
  size: number;
  path: string;
  callingAe: string | null;
  calledAe: string | null;
  source: 'dimse' | 'stow';
  receivedAt: number;
}

/** Inserts or replaces the row; returns true when the SOP instance had been received before. */
export function upsertInstance(db: Db, row: InstanceRow): { replaced: boolean; previous?: { studyUid: string; seriesUid: string } } {
  const previous = prepared(db, 'SELECT study_uid AS studyUid, series_uid AS seriesUid FROM instances WHERE sop_instance_uid = ?').get(row.sopInstanceUid) as
    | { studyUid: string; seriesUid: string }
    | undefined;
  prepared(db, 
    `INSERT INTO instances (sop_instance_uid, sop_class_uid, study_uid, series_uid, patient_id, transfer_syntax_uid, size, path,
                            calling_ae, called_ae, source, received_at)
     VALUES (@sopInstanceUid, @sopClassUid, @studyUid, @seriesUid, @patientId, @transferSyntaxUid, @size, @path,
             @callingAe, @calledAe, @source, @receivedAt)
     ON CONFLICT(sop_instance_uid) DO UPDATE SET
       sop_class_uid = excluded.sop_class_uid, study_uid = excluded.study_uid, series_uid = excluded.series_uid,
       patient_id = excluded.patient_id, transfer_syntax_uid = excluded.transfer_syntax_uid, size = excluded.size,
       path = excluded.path, calling_ae = excluded.calling_ae, called_ae = excluded.called_ae, source = excluded.source,
       received_at = excluded.received_at, times_received = times_received + 1`,
  ).run(row);
  return { replaced: previous !== undefined, previous };
}

export function instancesOfSeries(db: Db, seriesUid: string): InstanceRow[] {
  return db
    .prepare(
      `SELECT sop_instance_uid AS sopInstanceUid, sop_class_uid AS sopClassUid, study_uid AS studyUid, series_uid AS seriesUid,
              patient_id AS patientId, transfer_syntax_uid AS transferSyntaxUid, size, path, calling_ae AS callingAe,
              called_ae AS calledAe, source, received_at AS receivedAt
       FROM instances WHERE series_uid = ? ORDER BY received_at`,
    )
    .all(seriesUid) as InstanceRow[];
}

export function instancePaths(db: Db, studyUid: string): string[] {
  return (prepared(db, 'SELECT path FROM instances WHERE study_uid = ?').all(studyUid) as { path: string }[]).map((r) => r.path);
}
