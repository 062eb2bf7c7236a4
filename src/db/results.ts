// Repository for result_objects: the SEG and SR files a model job wrote (one row per job × kind).
import { prepared, type Db } from './database.js';

export type ResultKind = 'SEG' | 'SR';

export interface ResultObject {
  kind: ResultKind; sopClassUid: string; sopInstanceUid: string; seriesInstanceUid: string; transferSyntaxUid: string; path: string; size: number;
}

/** A rerun after a crash writes the same objects: the row already there is kept. */
export function insertResultObjects(db: Db, jobId: number, objects: ResultObject[], now = Date.now()): void {
  const insert = prepared(db, `INSERT INTO result_objects (job_id, kind, sop_class_uid, sop_instance_uid, series_instance_uid, transfer_syntax_uid, path, size, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, kind) DO NOTHING`);
  for (const o of objects) insert.run(jobId, o.kind, o.sopClassUid, o.sopInstanceUid, o.seriesInstanceUid, o.transferSyntaxUid, o.path, o.size, now);
}

/** Result files of every job of the study (retention removes them with the study). */
export function resultFilesOfStudy(db: Db, studyUid: string): Array<{ jobId: number; path: string; size: number }> {
  return prepared(db, `SELECT r.job_id AS jobId, r.path, r.size FROM result_objects r JOIN jobs j ON j.id = r.job_id WHERE j.study_uid = ? ORDER BY r.id`)
    .all(studyUid) as Array<{ jobId: number; path: string; size: number }>;
}

/** Retention: before the jobs they reference. */
export function deleteResultObjectsOfStudy(db: Db, studyUid: string): void {
  prepared(db, 'DELETE FROM result_objects WHERE job_id IN (SELECT id FROM jobs WHERE study_uid = ?)').run(studyUid);
}
