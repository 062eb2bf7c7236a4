// Destinations results and forwarded studies go to: a DIMSE peer (C-STORE SCP) or a DICOMweb
// server (STOW-RS). One schema validates them in every path; verify() checks one is reachable.
import { Ajv } from 'ajv';

export type DestinationAuth = { type: 'none' } | { type: 'bearer'; token: string } | { type: 'basic'; username: string; password: string };
export type Destination =
  | { id: string; name: string; type: 'dimse'; aeTitle: string; host: string; port: number; tls?: boolean }
  | { id: string; name: string; type: 'dicomweb'; url: string; auth?: DestinationAuth };

const common = { id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' }, name: { type: 'string', minLength: 1, maxLength: 128 } };
const schema = {
  oneOf: [
    {
      type: 'object', additionalProperties: false, required: ['id', 'name', 'type', 'aeTitle', 'host', 'port'],
      properties: { ...common, type: { const: 'dimse' }, aeTitle: { type: 'string', pattern: '^[^\\\\\\x00-\\x1f]{1,16}$' }, host: { type: 'string', minLength: 1, maxLength: 255 }, port: { type: 'integer', minimum: 1, maximum: 65535 }, tls: { type: 'boolean' } },
    },
    {
      type: 'object', additionalProperties: false, required: ['id', 'name', 'type', 'url'],
      properties: {
        ...common, type: { const: 'dicomweb' }, url: { type: 'string', pattern: '^https?://' },
        auth: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'none' } } },
            { type: 'object', additionalProperties: false, required: ['type', 'token'], properties: { type: { const: 'bearer' }, token: { type: 'string', minLength: 1 } } },
            { type: 'object', additionalProperties: false, required: ['type', 'username', 'password'], properties: { type: { const: 'basic' }, username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } } },
          ],
        },
      },
    },
  ],
};
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

export function validateDestination(candidate: unknown): { ok: true; destination: Destination } | { ok: false; problems: Array<{ path: string; message: string }> } {
  if (validate(candidate)) return { ok: true, destination: candidate as Destination };
  const type = (candidate as { type?: string })?.type;
  // oneOf reports both branches; keep the branch the candidate names.
  const branch = type === 'dicomweb' ? '/oneOf/1' : '/oneOf/0';
  const problems = (validate.errors ?? [])
    .filter((e) => e.schemaPath.startsWith(`#${branch}`) || !e.schemaPath.startsWith('#/oneOf/'))
    .filter((e) => e.keyword !== 'oneOf')
    .map((e) => ({ path: e.instancePath || '/', message: e.keyword === 'additionalProperties' ? `unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'` : e.message ?? 'invalid' }));
  return { ok: false, problems: problems.length ? problems : [{ path: '/type', message: "type must be 'dimse' or 'dicomweb'" }] };
}

/** A copy safe to show: secrets replaced by "***". */
export function masked(d: Destination): Destination {
  if (d.type !== 'dicomweb' || !d.auth || d.auth.type === 'none') return d;
  return { ...d, auth: d.auth.type === 'bearer' ? { type: 'bearer', token: '***' } : { ...d.auth, password: '***' } };
}
