// Repository for the audit table: every write through the admin API (who, what, when, before/after).
import { prepared, type Db } from './database.js';

export interface AuditEntry {
  id: number; at: string; actor: string; action: string; target: string; before: unknown; after: unknown
}

export function recordAudit(db: Db, actor: string, action: string, target: string, before: unknown,
  after: unknown): void {
  prepared(db, 'INSERT INTO audit (at, actor, action, target, before, after) VALUES (?, ?, ?, ?, ?, ?)').run(
    Date.now(), actor, action, target, before === undefined ? null : JSON.stringify(before),
    after === undefined ? null : JSON.stringify(after),
  );
}

export function listAudit(db: Db, limit: number): AuditEntry[] {
  const rows = prepared(db, 'SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as Array<Record<string, any>>;
  return rows.map((r) => ({
    id: r.id, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target,
    before: r.before === null ? null : JSON.parse(r.before), after: r.after === null ? null : JSON.parse(r.after),
  }));
}
