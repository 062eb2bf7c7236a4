// The configuration's shape: one JSON schema that validates the merged file + env configuration.
export interface CallerRule { aeTitle: string; host?: string }
export type StowAuth =
  | { type: 'none' }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };

export interface NodeConfig {
  /** `id`: this node's name on the shared queue (leases, /metrics, /api/health); "" = hostname-dicomPort. */
  node: { uidRoot: string; manufacturer: string; id: string };
  /** `url`: "" keeps the node's own SQLite database; postgres://… puts it on a PostgreSQL queue shared by several
   *  nodes. */
  database: { url: string };
  dicom: {
    aeTitle: string;
    port: number;
    host: string;
    maxAssociations: number;
    maxPduLength: number;
    acceptPrivateSopClasses: boolean;
    allowedCallers: CallerRule[];
    pduTimeoutMs: number;
    tls: { enabled: boolean; port: number; keyFile: string; certFile: string; caFile: string;
      requireClientCert: boolean };
  };
  /** `stow.allowedHosts`: addresses or CIDR ranges (or `*`) that may send STOW-RS. */
  http: { port: number; host: string; stow: { auth: StowAuth; allowedHosts: string[] } };
  storage: { dataDir: string; minFreeMb: number; stateReserveMb: number };
  completion: { seriesQuietSeconds: number; studyQuietSeconds: number; sweepIntervalMs: number;
    assembleOnArrival: boolean };
  retention: { maxAgeDays: number; schedule: string };
  /** Model folders; a relative path resolves against the installation folder. */
  models: { dir: string };
  /** Seed rule set, loaded (and validated) when the database holds no rules yet. */
  routing: { rulesFile: string };
  /** Bearer tokens of the admin API; an empty admin token is generated into <dataDir>/admin-token. */
  admin: { adminToken: string; readOnlyToken: string; reviewerToken: string };
  /** The review gate: a viewer link per result ({StudyInstanceUID}, {SeriesInstanceUID} filled in; "" for none). */
  review: { viewerUrlTemplate: string };
  /** The job runner: infer → encode → hand results to the outbox. */
  runner: { concurrency: number; leaseSeconds: number; maxAttempts: number; pollIntervalMs: number;
    omitEmptyFrames: boolean };
  /** The outbox: deliveries to destinations with retries. An empty callingAe means the node's AE title. */
  export: {
    callingAe: string; batchSize: number; perDestinationConcurrency: number; leaseSeconds: number; schedule: string;
    retry: { baseSeconds: number; maxSeconds: number; maxAttempts: number };
    circuit: { failures: number; coolDownSeconds: number };
  };
  log: { level: 'error' | 'warn' | 'info' | 'debug' };
  /** De-identification for external AI: the site key (32 bytes base64, "" = external actions refused), the default
   *  profile options (src/deid/profile.ts) and how long an external service may take to answer. */
  deid: { key: string; profile: Record<string, unknown>; resultTimeoutSeconds: number };
}

const aeTitle = { type: 'string', pattern: '^[^\\\\\\x00-\\x1f]{1,16}$' };
const port = { type: 'integer', minimum: 0, maximum: 65535 };
const strict = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

export const configSchema = strict({
  node: strict({ uidRoot: { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.(0|[1-9][0-9]*))*$', maxLength: 40 },
    manufacturer: { type: 'string', minLength: 1, maxLength: 64 },
    id: { type: 'string', pattern: '^[A-Za-z0-9._-]{0,64}$' } }),
  database: strict({ url: { type: 'string', pattern: '^$|^postgres(ql)?://' } }),
  dicom: strict({
    aeTitle,
    port,
    host: { type: 'string', minLength: 1 },
    maxAssociations: { type: 'integer', minimum: 1, maximum: 1000 },
    maxPduLength: { type: 'integer', minimum: 4096, maximum: 16777216 },
    acceptPrivateSopClasses: { type: 'boolean' },
    allowedCallers: {
      type: 'array',
      items: strict({ aeTitle: { type: 'string', pattern: '^(\\*|[^\\\\\\x00-\\x1f]{1,16})$' },
        host: { type: 'string', minLength: 1 } }, ['aeTitle']),
    },
    pduTimeoutMs: { type: 'integer', minimum: 1000 },
    tls: strict({
      enabled: { type: 'boolean' },
      port,
      keyFile: { type: 'string' },
      certFile: { type: 'string' },
      caFile: { type: 'string' },
      requireClientCert: { type: 'boolean' },
    }),
  }),
  http: strict({
    port,
    host: { type: 'string', minLength: 1 },
    stow: strict({
      allowedHosts: { type: 'array', items: { type: 'string', minLength: 1 } },
      auth: {
        oneOf: [
          strict({ type: { const: 'none' } }),
          strict({ type: { const: 'bearer' }, token: { type: 'string', minLength: 16 } }),
          strict({ type: { const: 'basic' }, username: { type: 'string', minLength: 1 },
            password: { type: 'string', minLength: 8 } }),
        ],
      },
    }),
  }),
  storage: strict({ dataDir: { type: 'string', minLength: 1 }, minFreeMb: { type: 'number', minimum: 0 },
    stateReserveMb: { type: 'integer', minimum: 0 } }),
  completion: strict({
    seriesQuietSeconds: { type: 'number', exclusiveMinimum: 0 },
    studyQuietSeconds: { type: 'number', exclusiveMinimum: 0 },
    sweepIntervalMs: { type: 'integer', minimum: 50 },
    assembleOnArrival: { type: 'boolean' },
  }),
  retention: strict({ maxAgeDays: { type: 'number', exclusiveMinimum: 0 },
    schedule: { type: 'string', minLength: 9 } }),
  models: strict({ dir: { type: 'string', minLength: 1 } }),
  routing: strict({ rulesFile: { type: 'string', minLength: 1 } }),
  admin: strict({
    adminToken: { anyOf: [{ const: '' }, { type: 'string', minLength: 16 }] },
    readOnlyToken: { anyOf: [{ const: '' }, { type: 'string', minLength: 16 }] },
    reviewerToken: { anyOf: [{ const: '' }, { type: 'string', minLength: 16 }] },
  }),
  review: strict({ viewerUrlTemplate: { anyOf: [{ const: '' }, { type: 'string', pattern: '^https?://' }] } }),
  runner: strict({
    concurrency: { type: 'integer', minimum: 1, maximum: 16 },
    leaseSeconds: { type: 'integer', minimum: 5 },
    maxAttempts: { type: 'integer', minimum: 1, maximum: 100 },
    pollIntervalMs: { type: 'integer', minimum: 50 },
    omitEmptyFrames: { type: 'boolean' },
  }),
  export: strict({
    callingAe: { type: 'string', pattern: '^[^\\\\\\x00-\\x1f]{0,16}$' },
    batchSize: { type: 'integer', minimum: 1, maximum: 10000 },
    perDestinationConcurrency: { type: 'integer', minimum: 1, maximum: 64 },
    leaseSeconds: { type: 'integer', minimum: 5 },
    schedule: { type: 'string', minLength: 9 },
    retry: strict({ baseSeconds: { type: 'number', exclusiveMinimum: 0 },
      maxSeconds: { type: 'number', exclusiveMinimum: 0 }, maxAttempts: { type: 'integer', minimum: 1 } }),
    circuit: strict({ failures: { type: 'integer', minimum: 1 },
      coolDownSeconds: { type: 'number', exclusiveMinimum: 0 } }),
  }),
  log: strict({ level: { enum: ['error', 'warn', 'info', 'debug'] } }),
  deid: strict({
    key: { anyOf: [{ const: '' }, { type: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' }] },
    profile: { type: 'object' }, // checked by resolveProfile (deid/profile.ts), every bad option named
    resultTimeoutSeconds: { type: 'number', exclusiveMinimum: 0 },
  }),
});
