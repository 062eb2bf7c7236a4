// A throwaway PostgreSQL cluster for tests (initdb + pg_ctl in a temp dir, as the postgres user when run as root),
// one database per caller. Unix socket only: the socket lives in the cluster's own folder, so no TCP port is taken.
// TEST_PG_URL names an existing server instead (CI may start one cluster for every suite).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { endClient, nativeClient } from '../../src/db/postgres.js';
import { openDatabase, type Db } from '../../src/db/database.js';

/** Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<version>/bin: the newest one. */
function serverBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter(
    (v) => fs.existsSync(path.join(root, v, 'bin/initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest ? path.join(root, newest, 'bin') : path.dirname(findOnPath('pg_ctl'));
}
const BIN = serverBin();
let cluster: { dir: string; adminUrl: string; urlOf: (db: string) => string } | undefined;
let created = 0;

function findOnPath(bin: string): string {
  return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim();
}

/** Runs a PostgreSQL binary; as root, as the postgres user (initdb and postgres refuse root). */
function asOwner(bin: string, args: string[]): void {
  const cmd = path.join(BIN, bin);
  if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  else execFileSync(cmd, args, { stdio: 'pipe' });
}

function startCluster(): NonNullable<typeof cluster> {
  const fromEnv = process.env.TEST_PG_URL;
  if (fromEnv) {
    const base = new URL(fromEnv);
    return { dir: '', adminUrl: fromEnv,
      urlOf: (db) => { const u = new URL(base); u.pathname = `/${db}`; return u.toString(); } };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgtest-'));
  if (process.getuid?.() === 0) fs.chownSync(dir,
    Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), 0);
  asOwner('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // fsync off: a test cluster never outlives a crash, and 2 shared cores are slow enough. PG_FSYNC=on (bench:scale)
  // keeps PostgreSQL's durable default.
  const fsync = process.env.PG_FSYNC === 'on' ? 'on' : 'off';
  asOwner('pg_ctl', ['start', '-w', '-D', path.join(dir, 'data'), '-l', path.join(dir, 'log'),
    '-o', `-k ${dir} -c listen_addresses= -p 5432 -c fsync=${fsync} -c max_connections=200`]);
  // A test worker is often ended by its pool, not by exiting: a watchdog stops the cluster (and removes its folder)
  // once this process is gone, however it went.
  const stop = `${process.getuid?.() === 0 ? 'runuser -u postgres -- ' : ''}${path.join(BIN, 'pg_ctl')} stop -D ${path.join(dir, 'data')} -m immediate`;
  spawn('sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop} >/dev/null 2>&1; rm -rf ${dir}`],
    { detached: true, stdio: 'ignore' }).unref();
  const urlOf = (db: string) => `postgres://postgres@/${db}?host=${encodeURIComponent(dir)}&port=5432`;
  return { dir, adminUrl: urlOf('postgres'), urlOf };
}

/** A new, empty database on the test cluster (started on first use); returns its URL. */
export function createTestDatabase(): string {
  cluster ??= startCluster();
  const name = `t_${process.pid}_${++created}_${Date.now().toString(36)}`;
  const admin = nativeClient();
  admin.connectSync(cluster.adminUrl);
  try { admin.querySync(`CREATE DATABASE ${name}`); } finally { endClient(admin); }
  return cluster.urlOf(name);
}

/** The backend the db suites run on: TEST_DATABASE=postgres puts them on the throwaway cluster. */
export const testBackend: 'sqlite' | 'postgres' = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';

/** Opens the test database: SQLite in `dataDir`, or a fresh PostgreSQL database when TEST_DATABASE=postgres. */
export function openTestDatabase(dataDir: string): Db {
  return openDatabase(dataDir, testBackend === 'postgres' ? createTestDatabase() : undefined);
}
