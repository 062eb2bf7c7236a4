// The rules file (routing.rulesFile) seeds the rule set when the database holds none yet. It is
// validated by the same schema as every API write; a bad file stops start-up with every problem's path.
import fs from 'node:fs';
import { transaction, type Db } from '../db/database.js';
import { recordAudit } from '../db/audit.js';
import { destinationIds } from '../db/destinations.js';
import { currentRules, seedRuleVersion } from '../db/rule-versions.js';
import type { Logger } from '../log/logger.js';
import { validateRuleSet } from '../route/index.js';
import { ConfigError } from './load.js';

export function seedRules(db: Db, file: string, models: string[], log: Logger): void {
  if (currentRules(db)) return;
  let candidate: unknown;
  try {
    candidate = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError([`routing>rulesFile: ${file}: ${(err as Error).message}`]);
  }
  const check = validateRuleSet(candidate, { models, ...destinationIds(db) });
  if (!check.ok) throw new ConfigError(check.problems.map((p) => `${file}${p.path}: ${p.message}`));
  const seeded = transaction(db, () => {
    if (!seedRuleVersion(db, check.ruleSet.rules, 'rules-file', `seed from ${file}`)) return false; // another node did
    recordAudit(db, 'rules-file', 'seed', 'rules', null, { version: 1, rules: check.ruleSet.rules.length });
    return true;
  });
  if (seeded) log.info('rules.loaded', { file, rules: check.ruleSet.rules.length });
}
