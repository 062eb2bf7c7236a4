// Read side of the studies/series tables for the API.
import type { Db } from './database.js';

export interface StudySummary {
  studyInstanceUid: string; state: string; revision: number; instances: number; series: number;
  expectedInstances: number | null; firstReceivedAt: string; lastReceivedAt: string; completedAt: string | null;
  sources: string[]; callingAes: string[]; studyDate: string | null; studyDescription: string | null;
  /** Instances received again after they were stored (each replaced the earlier copy). */
  duplicatesReceived: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function listStudies(db: Db, filter: { state?: string; limit: number }): StudySummary[] {
  const rows = db.prepare(
    `SELECT s.*, (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid) AS n,
            (SELECT COALESCE(SUM(times_received - 1), 0) FROM instances i WHERE i.study_uid = s.study_uid) AS dups,
            (SELECT COUNT(*) FROM series x WHERE x.study_uid = s.study_uid) AS nseries
     FROM studies s WHERE (@state IS NULL OR s.state = @state) ORDER BY s.last_received_at DESC LIMIT @limit`,
  ).all({ state: filter.state ?? null, limit: filter.limit }) as Record<string, any>[];
  return rows.map(toSummary);
}

export function getStudy(db: Db, studyUid: string) {
  const row = db.prepare(
    `SELECT s.*, (SELECT COUNT(*) FROM instances i WHERE i.study_uid = s.study_uid) AS n,
            (SELECT COALESCE(SUM(times_received - 1), 0) FROM instances i WHERE i.study_uid = s.study_uid) AS dups,
            (SELECT COUNT(*) FROM series x WHERE x.study_uid = s.study_uid) AS nseries FROM studies s WHERE study_uid = ?`,
  ).get(studyUid) as Record<string, any> | undefined;
  if (!row) return undefined;
  const series = (db.prepare(
    `SELECT x.*, (SELECT COUNT(*) FROM instances i WHERE i.series_uid = x.series_uid) AS n FROM series x WHERE study_uid = ? ORDER BY first_received_at`,
  ).all(studyUid) as Record<string, any>[]).map((x) => ({
    seriesInstanceUid: x.series_uid, modality: x.modality, seriesNumber: x.series_number, seriesDescription: x.series_description,
    state: x.state, instances: x.n, expectedInstances: x.expected_instances, completionReason: x.completion_reason,
    firstReceivedAt: iso(x.first_received_at), lastReceivedAt: iso(x.last_received_at), completedAt: iso(x.completed_at),
  }));
  const completions = db.prepare('SELECT revision, reason, instance_count AS instances, completed_at FROM study_completions WHERE study_uid = ? ORDER BY revision').all(studyUid) as Record<string, any>[];
  return { ...toSummary(row), seriesList: series, completions: completions.map((c) => ({ revision: c.revision, reason: c.reason, instances: c.instances, completedAt: iso(c.completed_at) })) };
}

function toSummary(r: Record<string, any>): StudySummary {
  return {
    studyInstanceUid: r.study_uid, state: r.state, revision: r.revision, instances: r.n, series: r.nseries,
    expectedInstances: r.expected_instances, firstReceivedAt: iso(r.first_received_at)!, lastReceivedAt: iso(r.last_received_at)!,
    completedAt: iso(r.completed_at), sources: JSON.parse(r.sources), callingAes: JSON.parse(r.calling_aes),
    studyDate: r.study_date, studyDescription: r.study_description, duplicatesReceived: r.dups,
  };
}
