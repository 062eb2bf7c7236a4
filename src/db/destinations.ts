// Repository for destinations (stored as JSON, validated by export/destination.ts before a write).
import { prepared, type Db } from './database.js';

export type DestinationAuth = { type: 'none' } | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string };
/** `external`: outside the hospital (an external AI service): only de-identified data go there, over TLS only. */
export type Destination =
  | ({ id: string; name: string; type: 'dimse'; aeTitle: string; host: string; port: number; external?: boolean }
    & DimseTls)
  | { id: string; name: string; type: 'dicomweb'; url: string; auth?: DestinationAuth; external?: boolean };

/**
 * TLS for a DIMSE peer. tls false/absent: plain TCP. With tls: the peer's certificate must verify
 * against tlsCaFile (PEM; without it, Node's bundled public CAs) and name `host`; tlsCertFile +
 * tlsKeyFile (PEM) are our client certificate for peers that require mutual TLS.
 */
export interface DimseTls { tls?: boolean; tlsCaFile?: string; tlsCertFile?: string; tlsKeyFile?: string }
export type DimseDestination = Extract<Destination, { type: 'dimse' }>;

export function listDestinations(db: Db): Destination[] {
  return (prepared(db, 'SELECT config FROM destinations ORDER BY id').all() as { config: string }[]).map((r) =>
    JSON.parse(r.config));
}

/** Every destination id, and those marked external, as rule validation needs them (route/semantics.ts KnownIds). */
export function destinationIds(db: Db): { destinations: string[]; external: string[] } {
  const all = listDestinations(db);
  return { destinations: all.map((d) => d.id), external: all.filter((d) => d.external === true).map((d) => d.id) };
}

export function getDestination(db: Db, id: string): Destination | undefined {
  const r = prepared(db, 'SELECT config FROM destinations WHERE id = ?').get(id) as { config: string } | undefined;
  return r && JSON.parse(r.config);
}

export function putDestination(db: Db, d: Destination): void {
  prepared(db, 'INSERT INTO destinations (id, config, updated_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at')
    .run(d.id, JSON.stringify(d), Date.now());
}

export function deleteDestination(db: Db, id: string): boolean {
  return prepared(db, 'DELETE FROM destinations WHERE id = ?').run(id).changes === 1;
}
