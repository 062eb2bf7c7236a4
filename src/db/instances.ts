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
export function upsertInstance(db: Db,
  row: InstanceRow): { replaced: boolean; previous?: { studyUid: string; seriesUid: string } } {
  const previous = prepared(db,
    'SELECT study_uid AS studyUid, series_uid AS seriesUid FROM instances WHERE sop_instance_uid = ?')
    .get(row.sopInstanceUid) as
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
       received_at = excluded.received_at, times_received = instances.times_received + 1`,
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
  return (prepared(db,
    'SELECT path FROM instances WHERE study_uid = ?').all(studyUid) as { path: string }[]).map((r) => r.path);
}

export function countInstancesOfSeries(db: Db, seriesUid: string): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM instances WHERE series_uid = ?').get(seriesUid) as { n: number }).n;
}

export function countInstancesOfStudy(db: Db, studyUid: string): number {
  return (prepared(db, 'SELECT COUNT(*) AS n FROM instances WHERE study_uid = ?').get(studyUid) as { n: number }).n;
}

/** The series' first-received instance file (its header stands for the series in the router's facts). */
export function firstInstancePathOfSeries(db: Db, seriesUid: string): string | undefined {
  return (prepared(db, 'SELECT path FROM instances WHERE series_uid = ? ORDER BY received_at LIMIT 1').get(seriesUid) as
    { path: string } | undefined)?.path;
}

/** How the study arrived: AEs and source of its first instance. */
export function studyOrigin(db: Db,
  studyUid: string): { callingAe: string | null; calledAe: string | null; source: 'dimse' | 'stow' } | undefined {
  return prepared(db, 'SELECT calling_ae AS callingAe, called_ae AS calledAe, source FROM instances WHERE study_uid = ? ORDER BY received_at LIMIT 1').get(studyUid) as
    { callingAe: string | null; calledAe: string | null; source: 'dimse' | 'stow' } | undefined;
}

/** The series' files in path order (a model job's input). */
export function instanceFilesOfSeries(db: Db, seriesUid: string): string[] {
  return (prepared(db, 'SELECT path FROM instances WHERE series_uid = ? ORDER BY path').all(seriesUid) as
    Array<{ path: string }>).map((r) => r.path);
}

export interface ForwardableInstance {
  path: string; sopClassUid: string; sopInstanceUid: string; transferSyntaxUid: string
}

/** Every stored instance of the study, by series and path (a forward job's objects). */
export function forwardableInstancesOfStudy(db: Db, studyUid: string): ForwardableInstance[] {
  return prepared(db, `SELECT path, sop_class_uid AS sopClassUid, sop_instance_uid AS sopInstanceUid, transfer_syntax_uid AS transferSyntaxUid
    FROM instances WHERE study_uid = ? ORDER BY series_uid, path`).all(studyUid) as ForwardableInstance[];
}

export function callingAesOfStudy(db: Db, studyUid: string): string[] {
  return (prepared(db,
    'SELECT DISTINCT calling_ae AS ae FROM instances WHERE study_uid = ? AND calling_ae IS NOT NULL ORDER BY ae')
    .all(studyUid) as Array<{ ae: string }>).map((r) => r.ae);
}

export function instanceFilesOfStudy(db: Db, studyUid: string): Array<{ path: string; size: number }> {
  return prepared(db, 'SELECT path, size FROM instances WHERE study_uid = ?').all(studyUid) as
    Array<{ path: string; size: number }>;
}

export function deleteInstancesOfStudy(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM instances WHERE study_uid = ?').run(studyUid);
}

/** When the stored copy of the SOP instance was received (journal replay's idempotency key). */
export function instanceReceivedAt(db: Db, sopInstanceUid: string): number | undefined {
  return (prepared(db, 'SELECT received_at AS t FROM instances WHERE sop_instance_uid = ?').get(sopInstanceUid) as
    { t: number } | undefined)?.t;
}
