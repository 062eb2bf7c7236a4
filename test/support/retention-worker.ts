// One node's retention pass for the shared-queue test: its own process and PostgreSQL session; prints the studies
// it removed (their retention.removed events) as JSON on its last line.
import { openDatabase } from '../../src/db/database.js';
import type { Logger } from '../../src/log/logger.js';
import { applyRetention } from '../../src/store/retention.js';

const [url, dataDir] = process.argv.slice(2) as [string, string];
const db = openDatabase('', url);
const removed: string[] = [];
const log: Logger = {
  info: (event, fields) => { if (event === 'retention.removed') removed.push(String(fields?.studyUid)); },
  warn: () => {}, error: () => {}, debug: () => {}, close: async () => {},
};
await applyRetention(db, { studiesDir: `${dataDir}/studies`, resultsDir: `${dataDir}/results` }, 1, log);
db.close();
process.stdout.write(`${JSON.stringify(removed)}\n`);
