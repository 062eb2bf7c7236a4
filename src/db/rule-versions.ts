// Repository for rule_versions: every change to the rule set is a new, complete version.
import type { Rule } from '../route/types.js';
import { prepared, type Db } from './database.js';
import { isPostgres } from './postgres.js';

export interface RuleSetVersion {
  version: number; createdAt: string; createdBy: string; summary: string; rules: Rule[]
}

export function currentRules(db: Db): RuleSetVersion | undefined {
  const r = prepared(db,
    'SELECT * FROM rule_versions ORDER BY version DESC LIMIT 1').get() as Record<string, any> | undefined;
  return r && toVersion(r);
}

export function ruleVersion(db: Db, version: number): RuleSetVersion | undefined {
  const r = prepared(db,
    'SELECT * FROM rule_versions WHERE version = ?').get(version) as Record<string, any> | undefined;
  return r && toVersion(r);
}

export function listRuleVersions(db: Db): Array<Omit<RuleSetVersion, 'rules'>> {
  return (prepared(db,
    'SELECT version, created_at, created_by, summary FROM rule_versions ORDER BY version DESC').all() as
    Array<Record<string, any>>)
    .map((r) => ({ version: r.version, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by,
      summary: r.summary }));
}

/**
 * Stores `rules` as the next version; call inside the caller's transaction with its audit row. On a shared queue two
 * nodes saving at once would both read the same MAX(version): a transaction lock makes the second wait for the first.
 */
export function saveRuleVersion(db: Db, rules: Rule[], createdBy: string, summary: string): number {
  if (isPostgres(db)) prepared(db, 'SELECT pg_advisory_xact_lock(7247003)').get();
  const next = ((prepared(db, 'SELECT MAX(version) AS v FROM rule_versions').get() as { v: number | null }).v ?? 0) + 1;
  prepared(db,
    'INSERT INTO rule_versions (version, rules, created_at, created_by, summary) VALUES (?, ?, ?, ?, ?)').run(
    next, JSON.stringify(rules), Date.now(), createdBy, summary);
  return next;
}

/** The first version, from the rules file; false when another node starting at the same time seeded it first. */
export function seedRuleVersion(db: Db, rules: Rule[], createdBy: string, summary: string): boolean {
  return prepared(db, 'INSERT INTO rule_versions (version, rules, created_at, created_by, summary) VALUES (1, ?, ?, ?, ?) ON CONFLICT (version) DO NOTHING')
    .run(JSON.stringify(rules), Date.now(), createdBy, summary).changes === 1;
}

function toVersion(r: Record<string, any>): RuleSetVersion {
  return { version: r.version, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by,
    summary: r.summary, rules: JSON.parse(r.rules) };
}
