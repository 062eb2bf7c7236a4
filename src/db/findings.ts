// Repository for result_findings: the findings of classification and detection results (model, code, present, score,
// slices), which the rules' Finding condition tests; storing them asks the router to evaluate the study again.
import { prepared, transaction, type Db } from './database.js';
import { requestReroute } from './completions.js';
import type { ResultFinding, StudyFinding } from '../route/types.js';

/**
 * Stores a classification or detection result's findings (call in the transaction that inserts the result) and asks
 * the router to evaluate the study's rules again, so a rule with a Finding condition can chain a second model.
 */
export function insertFindings(db: Db, resultId: number, findings: ResultFinding[]): void {
  if (findings.length === 0) return;
  transaction(db, () => {
    const insert = prepared(db,
      `INSERT INTO result_findings (result_id, model, code_scheme, code_value, code_meaning, present, score, slices)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const f of findings) {
      insert.run(resultId, f.model, f.code.scheme, f.code.value, f.code.meaning, f.present ? 1 : 0, f.score,
        f.slices ? JSON.stringify(f.slices) : null);
    }
    const study = prepared(db,
      'SELECT j.study_uid AS uid FROM results r JOIN jobs j ON j.id = r.job_id WHERE r.id = ?').get(resultId) as
      { uid: string } | undefined;
    if (study) requestReroute(db, study.uid);
  });
}

export function findingsOfResult(db: Db, resultId: number): ResultFinding[] {
  return (prepared(db, 'SELECT * FROM result_findings WHERE result_id = ? ORDER BY id').all(resultId) as
    Array<Record<string, any>>).map(toFinding);
}

/** What Finding conditions see: the latest revision of each job's result, unless rejected, withheld or retracted. */
export function findingsOfStudy(db: Db, studyUid: string): StudyFinding[] {
  const rows = prepared(db,
    `SELECT f.*, j.series_uid FROM result_findings f JOIN results r ON r.id = f.result_id JOIN jobs j ON j.id = r.job_id
    WHERE j.study_uid = ? AND r.state NOT IN ('rejected', 'withheld', 'retracted')
    AND r.revision = (SELECT MAX(revision) FROM results o WHERE o.job_id = r.job_id) ORDER BY f.id`).all(studyUid) as
    Array<Record<string, any>>;
  return rows.map((r) => ({ ...toFinding(r), seriesInstanceUid: r.series_uid ?? null, resultId: r.result_id }));
}

function toFinding(r: Record<string, any>): ResultFinding {
  return {
    model: r.model, code: { scheme: r.code_scheme, value: r.code_value, meaning: r.code_meaning },
    present: r.present === 1, score: r.score, ...(r.slices ? { slices: JSON.parse(r.slices) } : {}),
  };
}

/** Retention: before the results they belong to. */
export function deleteFindingsOfStudy(db: Db, studyUid: string): void {
  prepared(db,
    `DELETE FROM result_findings WHERE result_id IN (SELECT r.id FROM results r JOIN jobs j ON j.id = r.job_id
    WHERE j.study_uid = ?)`).run(studyUid);
}
