// Repository for destinations (stored as validated JSON).
import type { Destination } from '../export/destination.js';
import { prepared, type Db } from './database.js';

export function listDestinations(db: Db): Destination[] {
  return (prepared(db, 'SELECT config FROM destinations ORDER BY id').all() as { config: string }[]).map((r) => JSON.parse(r.config));
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
