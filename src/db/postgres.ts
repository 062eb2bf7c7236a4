// PostgreSQL behind the db modules' synchronous interface (dialect.ts): pg-native's libpq calls block like SQLite's,
// so no module changes shape. One session per node process, plus listen.ts's for LISTEN.
import { createRequire } from 'node:module';
import { numberParams, toText, translateSql, type RunResult, type SqlDb, type Statement } from './dialect.js';

// Result values as better-sqlite3 gives them: 64-bit integers, sums and booleans as numbers, bytea as Buffers.
const PARSERS: Record<number, (v: string) => unknown> = {
  16: (v) => (v === 't' ? 1 : 0), 17: (v) => Buffer.from(v.slice(2), 'hex'),
  20: Number, 21: Number, 23: Number, 26: Number, 700: Number, 701: Number, 1700: Number,
};
const types = { getTypeParser: (oid: number) => PARSERS[oid] ?? ((v: string) => v) };

interface Pq {
  exec(text: string): void; execParams(text: string, values: Array<string | null>): void;
  prepare(name: string, text: string, n: number): void; execPrepared(name: string, values: Array<string | null>): void;
  resultErrorMessage(): string; errorMessage(): string; resultErrorFields(): { sqlState?: string } | undefined;
  cmdTuples(): string; ntuples(): number; nfields(): number; fname(i: number): string; ftype(i: number): number;
  getvalue(r: number, c: number): string; getisnull(r: number, c: number): boolean; transactionStatus(): number;
}
interface NativeClient {
  connectSync(url: string): void; querySync(text: string): unknown; pq: Pq; end(cb?: () => void): void
}

/** The last command's outcome as rows; a failure as an Error carrying PostgreSQL's SQLSTATE as `code`. */
function collect(pq: Pq): { rows: Array<Record<string, unknown>>; changes: number } {
  const message = pq.resultErrorMessage() || pq.errorMessage();
  if (message) throw Object.assign(new Error(message.trim()), { code: pq.resultErrorFields()?.sqlState });
  const fields = Array.from({ length: pq.nfields() },
    (_, i) => ({ name: pq.fname(i), parse: types.getTypeParser(pq.ftype(i)) }));
  const rows = Array.from({ length: pq.ntuples() }, (_, r) => {
    const row: Record<string, unknown> = {};
    fields.forEach((f, c) => { row[f.name] = pq.getisnull(r, c) ? null : f.parse(pq.getvalue(r, c)); });
    return row;
  });
  return { rows, changes: Number(pq.cmdTuples()) || 0 };
}

const require = createRequire(import.meta.url);
/** pg-native is loaded only when a postgres:// URL is configured (SQLite installs need no libpq). */
export function nativeClient(): NativeClient & { connect(url: string, cb: (err?: Error) => void): void;
  query(q: string, cb: (err?: Error) => void): void;
  on(event: 'notification' | 'error', fn: (msg: any) => void): void } {
  const Client = require('pg-native');
  return new Client({ types });
}

/**
 * Closes a client. libpq's Finish closes its poll handle asynchronously but lets the object be collected at once,
 * and libuv then finishes closing freed memory (an assertion kills the process): hold the client past that turn.
 */
export function endClient(client: { end(): void }): void {
  client.end();
  setTimeout(() => client, 1000).unref();
}

class PgStatement implements Statement {
  constructor(private readonly db: PgDatabase, readonly name: string, readonly text: string, readonly count: number,
    private readonly names: string[] | null) {}

  private execute(params: unknown[]): ReturnType<typeof collect> {
    const values = this.names
      ? this.names.map((n) => toText((params[0] as Record<string, unknown>)[n]))
      : params.flat().map(toText);
    return this.db.executePrepared(this, values);
  }
  run(...params: unknown[]): RunResult {
    const { rows, changes } = this.execute(params);
    return { changes, lastInsertRowid: (rows[0]?.id as number | undefined) ?? 0 };
  }
  get(...params: unknown[]): unknown { return this.execute(params).rows[0]; }
  all(...params: unknown[]): unknown[] { return this.execute(params).rows; }
}

const PQTRANS_UNKNOWN = 4; // libpq: the connection is bad

/**
 * One synchronous libpq session; savepoints give nested transactions, as better-sqlite3's do. A lost connection
 * fails the statement that met it (it may have committed: never retried here) and is made again for the next one
 * outside a transaction, its statements prepared again on first use.
 */
export class PgDatabase implements SqlDb {
  /** No local file: a commit is durable on the server when it returns (synchronous_commit). */
  readonly name = '';
  private depth = 0;
  private readonly statements = new Map<string, PgStatement>();
  private client = nativeClient();
  /** Statement names prepared on the current connection. */
  private preparedHere = new Set<string>();

  constructor(readonly url: string) {
    this.connect();
  }
  get inTransaction(): boolean { return this.depth > 0; }

  private connect(): void {
    this.client.connectSync(this.url);
    this.preparedHere = new Set();
    // A blocked statement blocks this event loop: bound how long, and never wait long on another node's row lock.
    // Notices (CREATE … IF NOT EXISTS that skipped) would go to stderr: only warnings and errors matter.
    this.query("SET statement_timeout = '5s'; SET lock_timeout = '2s'; SET client_min_messages = warning");
  }

  /** Before a statement: a connection found bad outside a transaction is replaced. */
  private usable(): Pq {
    if (this.depth === 0 && this.client.pq.transactionStatus() === PQTRANS_UNKNOWN) {
      try { endClient(this.client); } catch { /* already gone */ }
      this.client = nativeClient();
      this.connect();
    }
    return this.client.pq;
  }

  prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      const { text, names, count } = numberParams(translateSql(sql));
      stmt = new PgStatement(this, `s${this.statements.size + 1}`, text, count, names);
      this.ensurePrepared(stmt, this.usable()); // a statement PostgreSQL refuses fails here, as SQLite's prepare does
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private ensurePrepared(stmt: PgStatement, pq: Pq): void {
    if (this.preparedHere.has(stmt.name)) return;
    pq.prepare(stmt.name, stmt.text, stmt.count);
    try { collect(pq); } catch (err) {
      throw Object.assign(err as Error, { message: `${(err as Error).message} in: ${stmt.text}` });
    }
    this.preparedHere.add(stmt.name);
  }

  executePrepared(stmt: PgStatement, values: Array<string | null>): ReturnType<typeof collect> {
    const pq = this.usable();
    this.ensurePrepared(stmt, pq);
    pq.execPrepared(stmt.name, values);
    return collect(pq);
  }

  exec(sql: string): this {
    this.query(sql.split(';').map((s) => (s.trim() ? translateSql(s) : s)).join(';'));
    return this;
  }

  transaction<T>(fn: () => T): () => T {
    return () => {
      const savepoint = this.depth > 0 ? `sp${this.depth}` : null;
      this.query(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN');
      this.depth++;
      let result: T;
      try {
        result = fn();
      } catch (err) {
        this.depth--;
        try {
          this.query(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` : 'ROLLBACK');
        } catch { /* the connection is gone: so is the transaction */ }
        throw err;
      }
      this.depth--;
      this.query(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
      return result;
    };
  }

  /** The pragmas the migrations use; the schema version lives in a table. */
  pragma(source: string, options?: { simple?: boolean }): unknown {
    const set = /^user_version = (\d+)$/.exec(source);
    if (set) { this.query(`UPDATE schema_version SET version = ${Number(set[1])}`); return []; }
    if (source === 'user_version') {
      const v = Number(this.query('SELECT version FROM schema_version')[0]!.version);
      return options?.simple ? v : [{ user_version: v }];
    }
    if (/^foreign_keys = (ON|OFF)$/.test(source) || source === 'foreign_key_check') return []; // checked per statement
    throw new Error(`pragma ${source} has no PostgreSQL equivalent here`);
  }

  /** Raw SQL for PostgreSQL-only steps (advisory locks, NOTIFY): no translation. */
  query(sql: string, values: unknown[] = []): Array<Record<string, unknown>> {
    const pq = this.usable();
    if (values.length) pq.execParams(sql, values.map(toText));
    else pq.exec(sql); // the simple protocol: several statements in one text
    return collect(pq).rows;
  }

  close(): void { endClient(this.client); }
}

/** True on the shared PostgreSQL queue (several nodes may hold the same tables). */
export function isPostgres(db: SqlDb): db is PgDatabase {
  return db instanceof PgDatabase;
}
