// The external action a job was made by, read back from the rules version that made it (validated when it was
// saved): the send, the routing of the answer and the answer's checks all follow the rule as it was then.
import type { Db } from '../db/database.js';
import { getJob } from '../db/jobs.js';
import { ruleVersion } from '../db/rule-versions.js';
import type { ExternalAction } from '../route/index.js';

export function externalActionOfJob(db: Db, jobId: number): ExternalAction | undefined {
  const row = getJob(db, jobId);
  const rule = row && ruleVersion(db, row.rulesVersion)?.rules.find((r) => r.id === row.ruleId);
  const action = rule?.actions.find((a) => a.type === 'external');
  return action?.type === 'external' ? action : undefined;
}
