// The outbox: delivers result objects and forwarded studies to destinations with durable retries.
// (Entry point only; the delivery loop is being built for issue 6.)
import type { NodeConfig } from '../config/schema.js';
import type { Db } from '../db/database.js';
import type { Logger } from '../log/logger.js';

export interface Outbox {
  /** Look for due deliveries now (after new ones were enqueued). */
  kick(): void;
  stop(): Promise<void>;
}

export function startOutbox(_db: Db, _config: NodeConfig, _log: Logger): Outbox {
  return { kick() {}, async stop() {} };
}
