// The migration that lets jobs.action be 'measure': a database an older node left (with jobs, results and
// deliveries referencing them) keeps every row and reference, and accepts measure jobs but no unknown action.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { migrations } from '../../../src/db/migrations.js';
import { claimJobs, insertJob } from '../../../src/db/jobs.js';

describe('jobs.action measure migration', () => {
  it('keeps rows, indexes and foreign keys of a database at the previous version', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-'));
    openDatabase(dir).close();
    const old = new Database(path.join(dir, 'node.sqlite'));
    const version = old.pragma('user_version', { simple: true }) as number;
    // Back to the schema before the rebuild: the jobs table as version 2 created it (a narrower CHECK).
    old.pragma('foreign_keys = OFF');
    old.exec(`INSERT INTO study_completions (study_uid, revision, reason, instance_count, completed_at)
      VALUES ('1.2.3', 1, 'quiet-period', 1, 0)`);
    old.exec(`INSERT INTO jobs (completion_id, study_uid, revision, rule_id, rules_version, action, state, created_at, updated_at)
      VALUES (1, '1.2.3', 1, 'r', 1, 'forward', 'done', 0, 0)`);
    old.exec(
      `INSERT INTO deliveries (job_id, destination_id, sop_class_uid, sop_instance_uid, transfer_syntax_uid, path,
      state, next_attempt_at, created_at, updated_at) VALUES (1, 'pacs', '1.2', '1.2.3.4', '1.2.840.10008.1.2.1', 'f', 'pending', 0, 0, 0)`);
    const sql = (old.prepare("SELECT sql FROM sqlite_schema WHERE name = 'jobs'").get() as { sql: string }).sql;
    old.exec(`${sql.replace(/^CREATE TABLE "?jobs"?/, 'CREATE TABLE jobs_v2').replace(/,'measure'[^)]*/, '')};
      INSERT INTO jobs_v2 SELECT * FROM jobs; DROP TABLE jobs; ALTER TABLE jobs_v2 RENAME TO jobs;
      CREATE INDEX jobs_state ON jobs(state, created_at); CREATE INDEX jobs_study ON jobs(study_uid);`);
    expect(() => old.exec(`INSERT INTO jobs (completion_id, study_uid, revision, rule_id, rules_version, action, state,
      created_at, updated_at) VALUES (1, '1.2.3', 1, 'r', 1, 'measure', 'pending', 0, 0)`)).toThrow(/CHECK/);
    // back to before the measure rebuild (later migrations run again; they are written to allow that)
    const measureStep = migrations.findIndex((m) => typeof m === 'function' && m.toString().includes("'measure'))"));
    old.pragma(`user_version = ${measureStep}`);
    old.close();

    const db = openDatabase(dir);
    expect(db.pragma('user_version', { simple: true })).toBe(version);
    expect(db.prepare('SELECT action FROM jobs').all()).toEqual([{ action: 'forward' }]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL ORDER BY name").all())
      .toEqual([{ name: 'jobs_state' }, { name: 'jobs_study' }]);
    const id = insertJob(db, { completionId: 1, studyUid: '1.2.3', revision: 1, ruleId: 'r', rulesVersion: 1,
      action: 'measure', seriesUid: '9.9' });
    expect(claimJobs(db, 5, 60_000).map((j) => [j.id, j.action])).toEqual([[id, 'measure']]);
    expect(() => db.exec(`INSERT INTO jobs (completion_id, study_uid, revision, rule_id, rules_version, action, state, created_at, updated_at)
      VALUES (1, '1.2.3', 1, 'r', 1, 'bogus', 'pending', 0, 0)`)).toThrow(/CHECK/);
    db.close();
  });
});
