// Repository for the counters table: monotonic totals (instances stored/replaced) the metrics read.
import { prepared, type Db } from './database.js';

export function bumpCounter(db: Db, name: string, by = 1): void {
  prepared(db, 'INSERT INTO counters(name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = counters.value + excluded.value').run(name, by);
}

export function readCounters(db: Db): Record<string, number> {
  const rows = prepared(db, 'SELECT name, value FROM counters').all() as { name: string; value: number }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}
