// Destinations results and forwarded studies go to: a DIMSE peer (C-STORE SCP) or a DICOMweb
// server (STOW-RS). One schema validates them in every path; verify() checks one is reachable.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';

// The row type lives with the destinations table (db/destinations.ts); export re-exports it.
export type { Destination, DestinationAuth, DimseDestination, DimseTls } from '../db/destinations.js';
import type { Destination, DimseTls } from '../db/destinations.js';

const tlsFiles = ['tlsCaFile', 'tlsCertFile', 'tlsKeyFile'] as const;
const pemPath = { type: 'string', minLength: 1, maxLength: 4096 };

const common = { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
  name: { type: 'string', minLength: 1, maxLength: 128 } };
const schema = {
  oneOf: [
    {
      type: 'object', additionalProperties: false, required: ['id', 'name', 'type', 'aeTitle', 'host', 'port'],
      properties: {
        ...common, type: { const: 'dimse' }, aeTitle: { type: 'string', pattern: '^[^\\\\\\x00-\\x1f]{1,16}$' },
        host: { type: 'string', minLength: 1, maxLength: 255 }, port: { type: 'integer', minimum: 1, maximum: 65535 },
        tls: { type: 'boolean' }, tlsCaFile: pemPath, tlsCertFile: pemPath, tlsKeyFile: pemPath,
        external: { type: 'boolean' },
      },
    },
    {
      type: 'object', additionalProperties: false, required: ['id', 'name', 'type', 'url'],
      properties: {
        ...common, type: { const: 'dicomweb' }, url: { type: 'string', pattern: '^https?://' },
        external: { type: 'boolean' },
        auth: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['type'],
              properties: { type: { const: 'none' } } },
            { type: 'object', additionalProperties: false, required: ['type', 'token'],
              properties: { type: { const: 'bearer' }, token: { type: 'string', minLength: 1 } } },
            { type: 'object', additionalProperties: false, required: ['type', 'username', 'password'],
              properties: { type: { const: 'basic' }, username: { type: 'string', minLength: 1 },
                password: { type: 'string', minLength: 1 } } },
          ],
        },
      },
    },
  ],
};
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

export function validateDestination(candidate: unknown):
  { ok: true; destination: Destination } | { ok: false; problems: Array<{ path: string; message: string }> } {
  const problems = validate(candidate) ? [] : schemaProblems(candidate);
  if ((candidate as { type?: string })?.type === 'dimse') problems.push(...tlsProblems(candidate as DimseTls));
  problems.push(...externalProblems(candidate));
  return problems.length ? { ok: false, problems } : { ok: true, destination: candidate as Destination };
}

function schemaProblems(candidate: unknown): Array<{ path: string; message: string }> {
  const type = (candidate as { type?: string })?.type;
  // oneOf reports both branches; keep the branch the candidate names.
  const branch = type === 'dicomweb' ? '/oneOf/1' : '/oneOf/0';
  const problems = (validate.errors ?? [])
    .filter((e) => e.schemaPath.startsWith(`#${branch}`) || !e.schemaPath.startsWith('#/oneOf/'))
    .filter((e) => e.keyword !== 'oneOf')
    .map((e) => ({ path: e.instancePath || '/', message: e.keyword === 'additionalProperties'
      ? `unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`
      : e.message ?? 'invalid' }));
  return problems.length ? problems : [{ path: '/type', message: "type must be 'dimse' or 'dicomweb'" }];
}

/**
 * What the schema cannot say about TLS: the PEM files only with tls: true, a client certificate only
 * with its key, and each file readable by the node now (as the listener's files are checked at start),
 * so a typo shows when the admin saves, not at the first delivery.
 */
function tlsProblems(d: DimseTls): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const given = tlsFiles.filter((k) => typeof d[k] === 'string' && d[k] !== '');
  if (given.length && d.tls !== true) {
    return given.map((k) => ({ path: `/${k}`, message: `${k} is used only with TLS: set tls to true or remove it` }));
  }
  if (given.includes('tlsCertFile') && !given.includes('tlsKeyFile')) out.push({ path: '/tlsKeyFile',
    message: 'tlsKeyFile is required with tlsCertFile (a client certificate needs its private key)' });
  if (given.includes('tlsKeyFile') && !given.includes('tlsCertFile')) out.push({ path: '/tlsCertFile',
    message: 'tlsCertFile is required with tlsKeyFile (a private key needs its certificate)' });
  for (const k of given) {
    const file = d[k] as string;
    if (!path.isAbsolute(file)) out.push({ path: `/${k}`,
      message: `must be an absolute path on the node, got '${file}'` });
    else if (!readable(file)) out.push({ path: `/${k}`,
      message: `file not found or not readable by the node: '${file}'` });
  }
  return out;
}

/** A destination outside the hospital is reached over TLS only (DIMSE with tls, DICOMweb over https). */
function externalProblems(candidate: unknown): Array<{ path: string; message: string }> {
  const d = candidate as { external?: unknown; type?: string; tls?: unknown; url?: unknown };
  if (d?.external !== true) return [];
  if (d.type === 'dimse' && d.tls !== true) return [{ path: '/tls',
    message: 'an external destination needs tls: true' }];
  if (d.type === 'dicomweb' && typeof d.url === 'string' && !d.url.startsWith('https://')) {
    return [{ path: '/url', message: 'an external destination needs an https:// URL' }];
  }
  return [];
}

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A copy safe to show: secrets replaced by "***". */
export function masked(d: Destination): Destination {
  if (d.type !== 'dicomweb' || !d.auth || d.auth.type === 'none') return d;
  return { ...d, auth: d.auth.type === 'bearer' ? { type: 'bearer', token: '***' } : { ...d.auth, password: '***' } };
}
