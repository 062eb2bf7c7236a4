// Rules admin API: CRUD on single rules, reorder, enable/disable, validate, versions, rollback.
// Every change stores a complete new version of the rule set and an audit row in one transaction.
import express, { type Request, type Response } from 'express';
import { transaction, type Db } from '../../db/database.js';
import { recordAudit } from '../../db/audit.js';
import { destinationIds } from '../../db/destinations.js';
import { currentRules, listRuleVersions, ruleVersion, saveRuleVersion } from '../../db/rule-versions.js';
import type { ModelRegistry } from '../../infer/index.js';
import { validateRule, validateRuleSet } from '../../route/index.js';
import type { Rule } from '../../route/types.js';
import { problem } from '../../http/problem.js';

export function rulesRouter(db: Db, models: ModelRegistry): express.Router {
  const r = express.Router();
  const known = () => ({ models: models.list().map((m) => m.id), ...destinationIds(db) });
  const live = () => currentRules(db)
    ?? { version: 0, createdAt: new Date(0).toISOString(), createdBy: '-', summary: '', rules: [] };

  /** Validates the whole new rule set, then stores it as a version with its audit row. */
  const commit = (res: Response, unordered: Rule[], summary: string, target: string, before: unknown, after: unknown,
    status = 200) => {
    // Stored in evaluation order (ascending priority; ties keep their list order).
    const rules = unordered.map((rule, i) => ({ rule, i }))
      .sort((a, b) => a.rule.priority - b.rule.priority || a.i - b.i).map((x) => x.rule);
    const check = validateRuleSet({ rules }, known());
    if (!check.ok) return problem(res, 422, 'RULES_INVALID', 'the rule set is invalid', check.problems);
    const version = transaction(db, () => {
      const v = saveRuleVersion(db, rules, res.locals.actor, summary);
      recordAudit(db, res.locals.actor, summary.split(' ')[0], target, before, after);
      return v;
    });
    res.status(status).json({ version, rules: live().rules, rule: after ?? undefined });
  };
  const withRule = (req: Request, res: Response, fn: (rules: Rule[], index: number) => void) => {
    const rules = live().rules;
    const index = rules.findIndex((x) => x.id === req.params.id);
    if (index < 0) return problem(res, 404, 'RULE_NOT_FOUND', `no rule '${req.params.id}'`);
    fn(rules, index);
  };

  r.get('/', (_req, res) => { const v = live();
    res.json({ version: v.version, updatedAt: v.createdAt, updatedBy: v.createdBy, rules: v.rules }); });
  r.get('/versions', (_req, res) => res.json(listRuleVersions(db)));
  r.get('/versions/:version', (req, res) => {
    const v = ruleVersion(db, Number(req.params.version));
    return v ? res.json(v) : problem(res, 404, 'RULES_VERSION_NOT_FOUND', `no rules version ${req.params.version}`);
  });
  r.post('/validate', (req, res) => {
    const body = req.body as { rules?: unknown };
    const check = body && Array.isArray(body.rules) ? validateRuleSet(body, known()) : validateRule(body, known());
    res.json({ valid: check.ok, problems: check.ok ? [] : check.problems });
  });
  r.post('/rollback', (req, res) => {
    const target = ruleVersion(db, Number((req.body as { version?: unknown })?.version));
    if (!target) return problem(res, 404, 'RULES_VERSION_NOT_FOUND', 'no such rules version to roll back to');
    commit(res, target.rules, `rollback to version ${target.version}`, 'rules', live().rules, target.rules);
  });
  r.post('/reorder', (req, res) => {
    const ids = (req.body as { ids?: unknown })?.ids;
    const rules = live().rules;
    if (!Array.isArray(ids) || ids.length !== rules.length || !rules.every((x) => ids.includes(x.id))) {
      return problem(res, 422, 'RULES_INVALID', 'ids must list every rule id exactly once',
        [{ path: '/ids', message: `expected ${rules.map((x) => x.id).join(', ')}` }]);
    }
    const reordered = ids.map((id, i) => ({ ...rules.find((x) => x.id === id)!, priority: (i + 1) * 10 }));
    commit(res, reordered, 'reorder rules', 'rules', rules.map((x) => x.id), ids);
  });
  r.get('/:id', (req, res) => withRule(req, res, (rules, i) => res.json(rules[i])));
  r.post('/', (req, res) => {
    const check = validateRule(req.body, known());
    if (!check.ok) return problem(res, 422, 'RULES_INVALID', 'the rule is invalid', check.problems);
    const rule = req.body as Rule;
    const rules = live().rules;
    if (rules.some((x) => x.id === rule.id)) return problem(res, 409, 'RULE_EXISTS',
      `a rule '${rule.id}' exists already`);
    commit(res, [...rules, rule], `create rule ${rule.id}`, `rule:${rule.id}`, null, rule, 201);
  });
  r.put('/:id', (req, res) => withRule(req, res, (rules, i) => {
    const check = validateRule(req.body, known());
    if (!check.ok) return problem(res, 422, 'RULES_INVALID', 'the rule is invalid', check.problems);
    const rule = req.body as Rule;
    if (rule.id !== req.params.id) return problem(res, 422, 'RULES_INVALID', 'the id in the body differs from the URL',
      [{ path: '/id', message: `expected '${req.params.id}'` }]);
    commit(res, rules.map((x, j) => (j === i ? rule : x)), `update rule ${rule.id}`, `rule:${rule.id}`, rules[i], rule);
  }));
  r.delete('/:id', (req, res) => withRule(req, res, (rules, i) => commit(res, rules.filter((_, j) => j !== i),
    `delete rule ${rules[i].id}`, `rule:${rules[i].id}`, rules[i], null)));
  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    r.post(`/:id/${verb}`, (req, res) => withRule(req, res, (rules, i) => {
      const rule = { ...rules[i], enabled };
      commit(res, rules.map((x, j) => (j === i ? rule : x)), `${verb} rule ${rule.id}`, `rule:${rule.id}`,
        rules[i], rule);
    }));
  }
  return r;
}
