// The job runner: claims pending jobs with a lease and moves them through load → infer → encode →
// export (hand-off to the outbox). (Entry point only; being built for issue 6.)
import type { NodeConfig } from '../config/schema.js';
import type { Db } from '../db/database.js';
import type { Outbox } from '../export/outbox.js';
import type { ModelRegistry } from '../infer/index.js';
import type { Logger } from '../log/logger.js';

export interface JobRunner {
  /** Look for pending jobs now (after routing created some). */
  kick(): void;
  stop(): Promise<void>;
}

export interface RunnerDeps { db: Db; config: NodeConfig; log: Logger; models: ModelRegistry; outbox: Outbox; dataDir: string }

export function startJobRunner(_deps: RunnerDeps): JobRunner {
  return { kick() {}, async stop() {} };
}
