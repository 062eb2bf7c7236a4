// Validates rule sets and single rules: the JSON schema, then what a schema cannot state, each with its JSON path.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Rule, RuleProblem, RuleSet } from './types.js';
import { ruleSchema, ruleSetSchema } from './schema.js';
import { ruleProblems, type KnownIds } from './semantics.js';

export type { KnownIds } from './semantics.js';
export type RuleSetValidation = { ok: true; ruleSet: RuleSet } | { ok: false; problems: RuleProblem[] };
export type RuleValidation = { ok: true; rule: Rule } | { ok: false; problems: RuleProblem[] };

/** A whole rule set (rules file, API writes): schema problems and semantic problems together, every one. */
export function validateRuleSet(candidate: unknown, known: KnownIds): RuleSetValidation {
  const { set } = validators();
  const problems = set(candidate) ? [] : schemaProblems(set.errors ?? []);
  const rules = isObject(candidate) && Array.isArray(candidate.rules) ? candidate.rules : [];
  rules.forEach((rule, i) => problems.push(...ruleProblems(rule, `/rules/${i}`, known)));
  problems.push(...duplicateIds(rules));
  return problems.length ? { ok: false, problems: unique(problems) } : { ok: true, ruleSet: candidate as RuleSet };
}

/** One rule (an API write of a single rule): paths are relative to the rule, e.g. `/when/all/0/op`. */
export function validateRule(candidate: unknown, known: KnownIds): RuleValidation {
  const { rule } = validators();
  const problems = rule(candidate) ? [] : schemaProblems(rule.errors ?? []);
  problems.push(...ruleProblems(candidate, '', known));
  return problems.length ? { ok: false, problems: unique(problems) } : { ok: true, rule: candidate as Rule };
}

let compiled: { set: ValidateFunction; rule: ValidateFunction } | null = null;

function validators(): { set: ValidateFunction; rule: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, discriminator: true, verbose: true, allowUnionTypes: true });
    ajv.addSchema(ruleSchema);
    compiled = { set: ajv.compile(ruleSetSchema), rule: ajv.getSchema('rule')! };
  }
  return compiled;
}

/** ajv's errors as problems an admin can act on; the `if` wrappers and `value` alternatives collapse to one line. */
function schemaProblems(errors: ErrorObject[]): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue;
    const valueAt = /^(.*\/value)(\/\d+)?$/.exec(e.instancePath);
    if (e.schemaPath.includes('/properties/value/') && valueAt) {
      out.push({ path: valueAt[1]!,
        message: 'must be a string, a number, or a non-empty list of strings and numbers' });
      continue;
    }
    out.push(schemaProblem(e));
  }
  return out;
}

function schemaProblem(e: ErrorObject): RuleProblem {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${String(params.missingProperty)}`,
        message: `required property '${String(params.missingProperty)}' is missing` };
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return { path: `${e.instancePath}/${String(params.additionalProperty)}`,
        message: `unknown property '${String(params.additionalProperty)}'; allowed: ${allowed.join(', ')}` };
    }
    case 'enum':
      return { path: e.instancePath,
        message: `${JSON.stringify(e.data)} is not one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'discriminator':
      return { path: `${e.instancePath}/type`,
        message: `action type must be one of: runModel, forward, measure, external, discard` };
    case 'minItems':
      if (/\/actions$/.test(e.instancePath))
        return { path: e.instancePath, message: 'a rule needs at least one action (use discard to drop studies)' };
      return { path: e.instancePath, message: e.message ?? 'invalid' };
    case 'pattern':
      if (/\/id$/.test(e.instancePath)) {
        return { path: e.instancePath, message: `rule id ${JSON.stringify(e.data)} must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit` };
      }
      return { path: e.instancePath, message: e.message ?? 'invalid' };
    default:
      return { path: e.instancePath, message: e.message ?? 'invalid' };
  }
}

function duplicateIds(rules: unknown[]): RuleProblem[] {
  const firstAt = new Map<string, number>();
  const out: RuleProblem[] = [];
  rules.forEach((rule, i) => {
    if (!isObject(rule) || typeof rule.id !== 'string') return;
    const earlier = firstAt.get(rule.id);
    if (earlier === undefined) firstAt.set(rule.id, i);
    else out.push({ path: `/rules/${i}/id`,
      message: `duplicate rule id '${rule.id}' (also used by /rules/${earlier})` });
  });
  return out;
}

function unique(problems: RuleProblem[]): RuleProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(`${p.path}\n${p.message}`)
    && seen.add(`${p.path}\n${p.message}`) !== undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
