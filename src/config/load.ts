// Loads the configuration: embedded defaults → CONFIG_FILE override → environment → validate everything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import cron from 'node-cron';
import { configSchema, type NodeConfig } from './schema.js';
import { exposureProblems } from './exposure.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

import { projectRoot } from '../paths.js';

const defaultFile = path.join(projectRoot, 'config/default.json');

/** Environment variables that override a configuration key, and how to parse them. */
const envOverrides: Array<[string, string[], (v: string) => unknown]> = [
  ['DICOM_AE_TITLE', ['dicom', 'aeTitle'], String],
  ['DICOM_PORT', ['dicom', 'port'], Number],
  ['HTTP_PORT', ['http', 'port'], Number],
  ['DICOM_HOST', ['dicom', 'host'], String],
  ['HTTP_HOST', ['http', 'host'], String],
  ['STOW_ALLOWED_HOSTS', ['http', 'stow', 'allowedHosts'], (v) => v.split(',').map((h) => h.trim()).filter(Boolean)],
  ['DATA_DIR', ['storage', 'dataDir'], String],
  ['LOG_LEVEL', ['log', 'level'], String],
  ['ADMIN_TOKEN', ['admin', 'adminToken'], String],
  ['REVIEWER_TOKEN', ['admin', 'reviewerToken'], String],
  ['DEID_KEY', ['deid', 'key'], String],
  ['NODE_ID', ['node', 'id'], String],
  ['DATABASE_URL', ['database', 'url'], String],
];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const merged = readJson(defaultFile) as Record<string, unknown>;
  if (env.CONFIG_FILE) deepMerge(merged, readJson(env.CONFIG_FILE));
  for (const [name, keyPath, parse] of envOverrides) {
    if (env[name] !== undefined && env[name] !== '') setPath(merged, keyPath, parse(env[name]!));
  }
  return validateConfig(merged);
}

export function validateConfig(candidate: unknown): NodeConfig {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(configSchema);
  const problems: string[] = [];
  if (!validate(candidate)) {
    for (const e of validate.errors ?? []) {
      const where = e.instancePath.replace(/^\//, '').replaceAll('/', '>') || '(root)';
      const extra = e.keyword === 'additionalProperties'
        ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : '';
      problems.push(`${where}: ${e.message}${extra}`);
    }
  }
  const config = candidate as NodeConfig;
  if (problems.length === 0) problems.push(...semanticProblems(config));
  if (problems.length) throw new ConfigError([...new Set(problems)]);
  return config;
}

/** Rules a JSON schema cannot state. */
function semanticProblems(c: NodeConfig): string[] {
  const out: string[] = [];
  if (!cron.validate(c.retention.schedule)) out.push(
    `retention>schedule: not a valid cron expression '${c.retention.schedule}'`);
  if (!cron.validate(c.export.schedule)) out.push(
    `export>schedule: not a valid cron expression '${c.export.schedule}'`);
  out.push(...exposureProblems(c));
  if (c.dicom.tls.enabled) {
    for (const k of ['keyFile', 'certFile'] as const) {
      if (!c.dicom.tls[k] || !fs.existsSync(c.dicom.tls[k])) out.push(
        `dicom>tls>${k}: file not found '${c.dicom.tls[k]}'`);
    }
  }
  return out;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${file}: ${(err as Error).message}`]);
  }
}

function deepMerge(target: Record<string, unknown>, source: unknown): void {
  if (!source || typeof source !== 'object' || Array.isArray(source)) return;
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object' && !Array.isArray(t)) {
      deepMerge(t as Record<string, unknown>, v);
    } else {
      target[k] = v;
    }
  }
}

function setPath(obj: Record<string, unknown>, keys: string[], value: unknown): void {
  let cur = obj;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[keys[keys.length - 1]] = value;
}

/** This node's name on a shared queue: node.id, or hostname-dicomPort (stable across restarts, unique per host). */
export function nodeIdOf(config: NodeConfig): string {
  return config.node.id || `${os.hostname()}-${config.dicom.port}`;
}
