// The schema's numbered migrations, the same for both backends, and how they are applied: SQL text, or a step that
// needs more than SQL (a table rebuild, added columns; PostgreSQL alters constraints in place).
import type { SqlDb as Db } from './dialect.js';
import { isPostgres, type PgDatabase } from './postgres.js';

/** Exported for the migration tests, which build a database as an older node left it. SQL text, or a step that
 *  needs more than SQL (a table rebuild, run with foreign keys off). */
export const migrations: Array<string | ((db: Db) => void)> = [
  `CREATE TABLE instances (
     sop_instance_uid TEXT PRIMARY KEY,
     sop_class_uid TEXT NOT NULL,
     study_uid TEXT NOT NULL,
     series_uid TEXT NOT NULL,
     patient_id TEXT,
     transfer_syntax_uid TEXT NOT NULL,
     size INTEGER NOT NULL,
     path TEXT NOT NULL,
     calling_ae TEXT,
     called_ae TEXT,
     source TEXT NOT NULL CHECK (source IN ('dimse','stow')),
     received_at INTEGER NOT NULL,
     times_received INTEGER NOT NULL DEFAULT 1
   );
   CREATE INDEX instances_series ON instances(series_uid);
   CREATE INDEX instances_study ON instances(study_uid);
   CREATE TABLE studies (
     study_uid TEXT PRIMARY KEY,
     patient_id TEXT, patient_name TEXT, study_date TEXT, study_description TEXT, accession_number TEXT,
     state TEXT NOT NULL CHECK (state IN ('receiving','complete')),
     revision INTEGER NOT NULL DEFAULT 1,
     expected_instances INTEGER,
     first_received_at INTEGER NOT NULL, last_received_at INTEGER NOT NULL, completed_at INTEGER,
     sources TEXT NOT NULL DEFAULT '[]', calling_aes TEXT NOT NULL DEFAULT '[]'
   );
   CREATE INDEX studies_state ON studies(state, last_received_at);
   CREATE TABLE series (
     series_uid TEXT PRIMARY KEY,
     study_uid TEXT NOT NULL REFERENCES studies(study_uid) ON DELETE CASCADE,
     modality TEXT, series_number TEXT, series_description TEXT, body_part TEXT,
     state TEXT NOT NULL CHECK (state IN ('receiving','complete')),
     expected_instances INTEGER,
     first_received_at INTEGER NOT NULL, last_received_at INTEGER NOT NULL, completed_at INTEGER,
     completion_reason TEXT
   );
   CREATE INDEX series_study ON series(study_uid);
   CREATE TABLE study_completions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     study_uid TEXT NOT NULL,
     revision INTEGER NOT NULL,
     reason TEXT NOT NULL CHECK (reason IN ('quiet-period','expected-count')),
     instance_count INTEGER NOT NULL,
     completed_at INTEGER NOT NULL,
     consumed_at INTEGER,
     UNIQUE (study_uid, revision)
   );
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
  `CREATE TABLE rule_versions (
     version INTEGER PRIMARY KEY,
     rules TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     created_by TEXT NOT NULL,
     summary TEXT NOT NULL
   );
   CREATE TABLE destinations (
     id TEXT PRIMARY KEY,
     config TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT NOT NULL,
     before TEXT,
     after TEXT
   );
   CREATE TABLE jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     completion_id INTEGER NOT NULL REFERENCES study_completions(id),
     study_uid TEXT NOT NULL,
     revision INTEGER NOT NULL,
     rule_id TEXT NOT NULL,
     rules_version INTEGER NOT NULL,
     action TEXT NOT NULL CHECK (action IN ('runModel','forward','discard')),
     model_id TEXT,
     series_uid TEXT,
     outputs TEXT NOT NULL DEFAULT '[]',
     destinations TEXT NOT NULL DEFAULT '[]',
     state TEXT NOT NULL CHECK (state IN ('pending','running','done','failed','cancelled')),
     reason TEXT,
     stages TEXT NOT NULL DEFAULT '[]',
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX jobs_state ON jobs(state, created_at);
   CREATE INDEX jobs_study ON jobs(study_uid);`,
  // Job runner leases and result objects; the outbox (one delivery per object × destination).
  `ALTER TABLE jobs ADD COLUMN lease_until INTEGER;
   ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE result_objects (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id INTEGER NOT NULL REFERENCES jobs(id),
     kind TEXT NOT NULL CHECK (kind IN ('SEG','SR')),
     sop_class_uid TEXT NOT NULL,
     sop_instance_uid TEXT NOT NULL,
     series_instance_uid TEXT NOT NULL,
     transfer_syntax_uid TEXT NOT NULL,
     path TEXT NOT NULL,
     size INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     UNIQUE (job_id, kind)
   );
   CREATE TABLE deliveries (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id INTEGER REFERENCES jobs(id),
     destination_id TEXT NOT NULL,
     sop_class_uid TEXT NOT NULL,
     sop_instance_uid TEXT NOT NULL,
     transfer_syntax_uid TEXT NOT NULL,
     path TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('pending','sending','delivered','failed-permanent','dead')),
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER NOT NULL,
     lease_until INTEGER,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     delivered_at INTEGER,
     UNIQUE (job_id, destination_id, sop_instance_uid)
   );
   CREATE INDEX deliveries_due ON deliveries(state, next_attempt_at);`,
  // Lease identities: a delivery claim's token (a batch that lost its lease settles nothing), and
  // the boot id of the node process holding a job's lease (released at once after a restart).
  `ALTER TABLE deliveries ADD COLUMN lease_token TEXT;
   ALTER TABLE jobs ADD COLUMN lease_owner TEXT;`,
  // Results (issue 10): one row per job × revision with its QC and review state and a history; result objects
  // gain the revision and the KOS of a retraction; deliveries name their result; jobs carry the rule's review
  // policy. Jobs finished before this migration get a result row of their own (accepted or delivered).
  `CREATE TABLE results (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id INTEGER NOT NULL REFERENCES jobs(id),
     revision INTEGER NOT NULL,
     state TEXT NOT NULL CHECK (state IN
       ('awaiting-review','awaiting-destination','accepted','delivered','rejected','withheld','retracted')),
     qc_state TEXT NOT NULL CHECK (qc_state IN ('passed','failed','none')),
     qc_reasons TEXT NOT NULL DEFAULT '[]',
     segments TEXT NOT NULL DEFAULT '[]',
     model_version TEXT,
     held_reason TEXT,
     reviewed_by TEXT,
     reviewed_at INTEGER,
     decision_reason TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     UNIQUE (job_id, revision)
   );
   CREATE INDEX results_state ON results(state, id);
   CREATE TABLE result_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     result_id INTEGER NOT NULL REFERENCES results(id),
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     from_state TEXT,
     to_state TEXT NOT NULL,
     reason TEXT
   );
   CREATE INDEX result_events_result ON result_events(result_id, id);
   CREATE TABLE result_objects_r (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id INTEGER NOT NULL REFERENCES jobs(id),
     revision INTEGER NOT NULL DEFAULT 1,
     kind TEXT NOT NULL CHECK (kind IN ('SEG','SR','KOS')),
     sop_class_uid TEXT NOT NULL,
     sop_instance_uid TEXT NOT NULL,
     series_instance_uid TEXT NOT NULL,
     transfer_syntax_uid TEXT NOT NULL,
     path TEXT NOT NULL,
     size INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     UNIQUE (job_id, revision, kind)
   );
   INSERT INTO result_objects_r (id, job_id, revision, kind, sop_class_uid, sop_instance_uid, series_instance_uid,
     transfer_syntax_uid, path, size, created_at)
     SELECT id, job_id, 1, kind, sop_class_uid, sop_instance_uid, series_instance_uid, transfer_syntax_uid, path, size, created_at
     FROM result_objects;
   DROP TABLE result_objects;
   ALTER TABLE result_objects_r RENAME TO result_objects;
   ALTER TABLE deliveries ADD COLUMN result_id INTEGER REFERENCES results(id);
   ALTER TABLE jobs ADD COLUMN review TEXT NOT NULL DEFAULT 'none';
   ALTER TABLE jobs ADD COLUMN on_qc_fail TEXT NOT NULL DEFAULT 'review';
   INSERT INTO results (job_id, revision, state, qc_state, created_at, updated_at)
     SELECT j.id, 1, CASE WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.job_id = j.id)
       AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.job_id = j.id AND d.state <> 'delivered')
       THEN 'delivered' ELSE 'accepted' END, 'none', j.updated_at, j.updated_at
     FROM jobs j WHERE j.action = 'runModel' AND j.state = 'done' AND EXISTS (SELECT 1 FROM result_objects o WHERE o.job_id = j.id);
   UPDATE deliveries SET result_id = (SELECT r.id FROM results r WHERE r.job_id = deliveries.job_id)
     WHERE job_id IN (SELECT job_id FROM results);`,
  // The measure action (issue 13): jobs.action may be 'measure'. SQLite cannot alter a CHECK, so the table is
  // rebuilt from its own schema text (whatever columns later migrations added), its indexes with it.
  (db) => rebuildTable(db, 'jobs',
    [["CHECK (action IN ('runModel','forward','discard'))",
      "CHECK (action IN ('runModel','forward','discard','measure'))"]]),
  // De-identification mapping (issue 14): originals only encrypted, rows found by keyed hashes (db/deid-mappings.ts).
  `CREATE TABLE IF NOT EXISTS deid_mappings (
     kind TEXT NOT NULL CHECK (kind IN ('uid','study')),
     original_hash BLOB NOT NULL,
     pseudo_hash BLOB NOT NULL,
     original_enc BLOB NOT NULL,
     pseudo_enc BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (kind, original_hash)
   );
   CREATE UNIQUE INDEX IF NOT EXISTS deid_mappings_pseudo ON deid_mappings(kind, pseudo_hash);
   CREATE TABLE IF NOT EXISTS external_requests (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     job_id INTEGER NOT NULL UNIQUE REFERENCES jobs(id) ON DELETE CASCADE,
     study_uid TEXT NOT NULL,
     pseudo_study_uid TEXT NOT NULL,
     service TEXT NOT NULL,
     profile TEXT NOT NULL,
     destinations TEXT NOT NULL,
     review TEXT NOT NULL DEFAULT 'none' CHECK (review IN ('none','required')),
     state TEXT NOT NULL CHECK (state IN ('waiting','returned','timed-out')),
     deadline INTEGER NOT NULL,
     returned INTEGER NOT NULL DEFAULT 0,
     quarantined TEXT NOT NULL DEFAULT '[]',
     return_job_id INTEGER,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX IF NOT EXISTS external_requests_pseudo ON external_requests(pseudo_study_uid);`,
  // The external action (issue 14): jobs.action may be 'external' (send de-identified) or 'reidentify' (results back).
  (db) => rebuildTable(db, 'jobs', [["CHECK (action IN ('runModel','forward','discard','measure'))",
    "CHECK (action IN ('runModel','forward','discard','measure','external','reidentify'))"]]),
  // Findings of classification and detection results (issue 11), one row each, read by the rules' Finding
  // condition; storing them flags the study's latest routed completion so the router evaluates it again. Safe to run
  // again (the measure migration's test replays every step after the rebuild).
  (db) => {
    db.exec(`CREATE TABLE IF NOT EXISTS result_findings (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       result_id INTEGER NOT NULL REFERENCES results(id),
       model TEXT NOT NULL,
       code_scheme TEXT NOT NULL, code_value TEXT NOT NULL, code_meaning TEXT NOT NULL,
       present INTEGER NOT NULL CHECK (present IN (0, 1)),
       score REAL,
       slices TEXT
     );
     CREATE INDEX IF NOT EXISTS result_findings_result ON result_findings(result_id);`);
    if (isPostgres(db))
      db.exec('ALTER TABLE study_completions ADD COLUMN IF NOT EXISTS reroute_pending INTEGER NOT NULL DEFAULT 0');
    else if (!(db.pragma('table_info(study_completions)') as Array<{ name: string }>).some((c) =>
      c.name === 'reroute_pending')) {
      db.exec('ALTER TABLE study_completions ADD COLUMN reroute_pending INTEGER NOT NULL DEFAULT 0');
    }
  },
  // Objects an external service returned beyond the SEG and SR (a KOS, an SC, …) belong to the result, so the
  // review gate holds and releases them with it (issue 14): kind RETURNED, several per result. Skipped when replayed.
  (db) => {
    if (!isPostgres(db)) {
      const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'result_objects'")
        .get() as { sql: string };
      if (sql.sql.includes("'RETURNED'")) return;
    }
    rebuildTable(db, 'result_objects', [
      ["CHECK (kind IN ('SEG','SR','KOS'))", "CHECK (kind IN ('SEG','SR','KOS','RETURNED'))"],
      ['UNIQUE (job_id, revision, kind)', 'UNIQUE (job_id, revision, kind, sop_instance_uid)']]);
  },
  // Several nodes on one PostgreSQL queue (issue 12): a job claim's token (as deliveries have), and the node holding
  // it. Safe to run again, like the steps before it.
  (db) => addColumns(db, 'jobs', ['lease_token TEXT', 'lease_node TEXT']),
];

/** Applies the steps the database has not had yet (its user_version counts the ones it has). */
export function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < migrations.length; v++) {
    const step = migrations[v]!;
    // A rebuild drops a table other tables reference: foreign keys are off (outside any transaction, as SQLite
    // requires) and checked before the commit.
    if (typeof step !== 'string') db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        if (typeof step === 'string') db.exec(step);
        else {
          step(db);
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${v + 1} broke ${broken.length} foreign keys`);
        }
        db.pragma(`user_version = ${v + 1}`);
      })();
    } finally {
      if (typeof step !== 'string') db.pragma('foreign_keys = ON');
    }
  }
}

/** PostgreSQL: a CHECK replaces every check on its column; a UNIQUE replaces the one with the old definition. */
function alterConstraints(db: PgDatabase, table: string, edits: Array<[string, string]>): void {
  const named = (type: 'c' | 'u') => db.query(`SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS def,
    (SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) AS cols
    FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = $2`,
    [table, type]) as Array<{ name: string; def: string; cols: string }>;
  for (const [from, to] of edits) {
    if (to.startsWith('CHECK')) {
      const column = /^CHECK \((\w+) IN/.exec(to)![1];
      for (const c of named('c').filter((x) => x.cols === column))
        db.query(`ALTER TABLE ${table} DROP CONSTRAINT ${c.name}`);
      db.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column}_check ${to}`);
    } else {
      const unique = named('u');
      for (const c of unique.filter((x) => x.def === from)) db.query(`ALTER TABLE ${table} DROP CONSTRAINT ${c.name}`);
      if (!unique.some((x) => x.def === to)) db.query(`ALTER TABLE ${table} ADD ${to}`);
    }
  }
}

/** Adds the columns a table lacks (`name TYPE`). */
function addColumns(db: Db, table: string, columns: string[]): void {
  const have = isPostgres(db) ? [] : (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
  for (const c of columns) {
    if (isPostgres(db)) db.exec(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${c}`);
    else if (!have.includes(c.split(' ')[0]!)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${c}`);
  }
}

/**
 * Replaces CHECK and UNIQUE constraints ([old text, new text] pairs). SQLite's documented way: new table from the
 * edited schema, copy, drop, rename. PostgreSQL alters the constraints in place (replaying a step changes nothing).
 */
function rebuildTable(db: Db, table: string, edits: Array<[string, string]>): void {
  if (isPostgres(db)) return alterConstraints(db, table, edits);
  const edit = (sql: string) => edits.reduce((out, [from, to]) => out.replace(from, to), sql);
  const schema = (type: string) => db
    .prepare('SELECT sql FROM sqlite_schema WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL')
    .all(type, table) as Array<{ sql: string }>;
  const create = schema('table')[0]!.sql;
  const edited = edit(create);
  if (edited === create) throw new Error(`migration for ${table}: the schema text to change was not found`);
  const indexes = schema('index').map((i) => i.sql);
  db.exec(edited.replace(/^CREATE TABLE ("?)\w+\1/, `CREATE TABLE ${table}_rebuilt`));
  db.exec(`INSERT INTO ${table}_rebuilt SELECT * FROM ${table}; DROP TABLE ${table};
    ALTER TABLE ${table}_rebuilt RENAME TO ${table};`);
  for (const sql of indexes) db.exec(sql);
}
