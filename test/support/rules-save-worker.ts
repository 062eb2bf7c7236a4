// One admin's node for the shared-queue test: its own process and PostgreSQL session, saving rule versions as the
// rules API does (version and audit row in one transaction); prints how many saves succeeded on its last line.
import { openDatabase, transaction } from '../../src/db/database.js';
import { saveRuleVersion } from '../../src/db/rule-versions.js';

const [url, node, count] = process.argv.slice(2) as [string, string, string];
const db = openDatabase('', url);
let saved = 0;
const errors: string[] = [];
for (let i = 0; i < Number(count); i++) {
  try {
    transaction(db, () => saveRuleVersion(db, [], node, `save ${i} by ${node}`));
    saved++;
  } catch (err) {
    errors.push((err as Error).message);
  }
}
db.close();
process.stdout.write(`${JSON.stringify({ saved, errors: errors.slice(0, 3) })}\n`);
