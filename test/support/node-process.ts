// Starts the built node (dist/src/main.js) as a subprocess with a temporary configuration, the way
// a hospital runs it, and talks to it only over the network.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { nodeIdOf } from '../../src/config/load.js';
import type { NodeConfig } from '../../src/config/schema.js';
import { openDatabase } from '../../src/db/database.js';
import { nodeOwnDir } from '../../src/paths.js';
import { allocatePort } from './ports.js';
import { createTestDatabase, testBackend } from './postgres.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const testdata = path.resolve(repoRoot, '../shared/testdata/real');

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const READ_ONLY_TOKEN = 'read-only-token-for-tests-012345';

export interface RunningNode {
  dimsePort: number;
  httpPort: number;
  dataDir: string;
  /** The node's PostgreSQL (database.url) when it runs on one; undefined: SQLite in dataDir. */
  databaseUrl?: string;
  /** The node's own temporary files: <dataDir>/tmp, or <dataDir>/nodes/<node id>/tmp on a shared queue. */
  tmpDir: string;
  aeTitle: string;
  url: (p: string) => string;
  /** fetch() on the node's HTTP port with the admin bearer token. */
  api: (p: string, init?: RequestInit) => Promise<Response>;
  adminToken: string;
  logs: () => Array<Record<string, unknown>>;
  process: ChildProcess;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

const databases = new Map<string, string>();
const databaseOf = (dir: string) => databases.get(dir) ?? databases.set(dir, createTestDatabase()).get(dir)!;

const testNodeId = (dir: string) => `test-${path.basename(dir)}`;

/** Where a node started on the test folder `dir` (with no node or database overrides) keeps its temporary files. */
export function defaultTmpDirOf(dir: string): string {
  return path.join(nodeOwnDir(path.join(dir, 'data'), testNodeId(dir), testBackend === 'postgres'), 'tmp');
}

/** A port for a peer to listen on; see ports.ts for why it is not listen(0)-and-close. */
export const freePort = allocatePort;

/** `overrides` is deep-merged by the node over config/default.json (via CONFIG_FILE). */
export async function startNode(overrides: Record<string, any> = {},
  opts: { dataDir?: string } = {}): Promise<RunningNode> {
  const dimsePort = await freePort();
  const httpPort = await freePort();
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dain-'));
  const config = deepMerge({
    dicom: { port: dimsePort, host: '127.0.0.1', allowedCallers: [{ aeTitle: '*' }] },
    http: { port: httpPort, host: '127.0.0.1' },
    storage: { dataDir: path.join(dir, 'data'), minFreeMb: 1 },
    log: { level: 'info' },
    admin: { adminToken: ADMIN_TOKEN, readOnlyToken: READ_ONLY_TOKEN },
    // TEST_DATABASE=postgres: each data dir gets its own database on the throwaway cluster, and a node id of its own,
    // so a restart on the same data dir is the same node (its journal and leases), as a restarted node is
    ...(testBackend === 'postgres' && !overrides.database
      ? { database: { url: databaseOf(dir) }, node: { id: testNodeId(dir) } } : {}),
  }, overrides);
  const configFile = path.join(dir, `config-${dimsePort}.json`);
  fs.writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/src/main.js')], {
    env: { ...process.env, CONFIG_FILE: configFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const node: RunningNode = {
    dimsePort: config.dicom.port, httpPort: config.http.port,
    dataDir: config.storage.dataDir, databaseUrl: config.database?.url || undefined,
    tmpDir: path.join(nodeOwnDir(config.storage.dataDir,
      nodeIdOf({ ...config, node: { id: '', ...config.node } } as NodeConfig),
      Boolean(config.database?.url)), 'tmp'),
    aeTitle: config.dicom.aeTitle ?? 'DICOM_AI_NODE',
    url: (p) => `http://127.0.0.1:${config.http.port}${p}`,
    api: (p, init = {}) => fetch(`http://127.0.0.1:${config.http.port}${p}`, { ...init,
      headers: { authorization: `Bearer ${config.admin.adminToken}`,
        ...(init.headers as Record<string, string> | undefined) } }),
    adminToken: config.admin.adminToken,
    logs: () => lines.flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } }),
    process: child,
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      child.kill(signal);
    }),
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}: ${stderr}`);
    if (node.logs().some((l) => l.event === 'node.started')) return node;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`node did not start: ${stderr}`);
}

function deepMerge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object'
      ? deepMerge(a[k], v) : v;
  return out;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads the node's database without writing (the node owns it): its SQLite file, or its PostgreSQL database. */
export function queryNode<T = Record<string, any>>(node: Pick<RunningNode, 'dataDir' | 'databaseUrl'>, sql: string,
  ...params: unknown[]): T[] {
  const db = node.databaseUrl ? openDatabase('', node.databaseUrl)
    : new Database(path.join(node.dataDir, 'node.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}
