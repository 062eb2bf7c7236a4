// Opens the node's database (SQLite in the data directory, or a shared PostgreSQL) and brings its schema up to date
// (numbered migrations, the same for both backends).
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { SqlDb, Statement } from './dialect.js';
import { migrate } from './migrations.js';
import { isPostgres, PgDatabase } from './postgres.js';

export type Db = SqlDb;

/** `url`: a postgres:// URL selects the shared PostgreSQL queue; otherwise node.sqlite in `dataDir`. */
export function openDatabase(dataDir: string, url?: string): Db {
  if (url && /^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(path.join(dataDir, 'node.sqlite'));
  db.pragma('journal_mode = WAL');
  // NORMAL: commits do not fsync on the event loop; callers that acknowledge a commit await
  // WalSync.durable() (see wal-sync.ts), which fsyncs the WAL on the thread pool.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/** Nodes starting together migrate one at a time: a session advisory lock, waited for without the usual timeouts. */
function openPostgres(url: string): Db {
  const db = new PgDatabase(url);
  db.query("SET statement_timeout = 0; SET lock_timeout = 0");
  db.query('SELECT pg_advisory_lock(7247001)');
  try {
    db.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    db.query('INSERT INTO schema_version (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version)');
    migrate(db);
  } finally {
    db.query('SELECT pg_advisory_unlock(7247001)');
    db.query("SET statement_timeout = '5s'; SET lock_timeout = '2s'");
  }
  return db;
}


const statementCache = new WeakMap<Db, Map<string, Statement>>();

/** A prepared statement compiled once per connection (the store runs a handful per instance). */
export function prepared(db: Db, sql: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/**
 * Runs `fn` in one transaction (a savepoint when nested) and returns its result. Every stage
 * states its transaction boundary through this helper, so an async database variant replaces
 * this one function rather than every call site.
 */
export function transaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn)();
}

/** PostgreSQL: wakes the stages listening on `channel` on every node when the transaction commits (db/listen.ts). */
export function notify(db: Db, channel: 'jobs' | 'deliveries' | 'completions'): void {
  if (isPostgres(db)) prepared(db, 'SELECT pg_notify(?, \'\')').get(`dain_${channel}`);
}

/** The health check's probe: true when the database answers a trivial query. */
export function databaseReachable(db: Db): boolean {
  return (prepared(db, 'SELECT 1 AS ok').get() as { ok: number }).ok === 1;
}
