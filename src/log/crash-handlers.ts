// Last resort for a throw nobody caught: log it as an event (the default handler only writes a
// stack to stderr), then exit non-zero so the supervisor (systemd, Docker) restarts a clean process.
import type { Logger } from './logger.js';

/** Exit status after an uncaught exception or unhandled rejection (2 is a configuration error). */
export const CRASH_EXIT_CODE = 1;

export function exitOnUncaught(log: Logger): void {
  let crashing = false;
  const crash = (kind: 'uncaughtException' | 'unhandledRejection') => (err: unknown) => {
    if (crashing) return; // a second failure while the first is being written changes nothing
    crashing = true;
    const e = err instanceof Error ? err : new Error(String(err));
    log.error('node.crashed', { kind, reason: e.message, stack: e.stack });
    // State after an unknown throw cannot be trusted: no graceful stop, only the log flush.
    setTimeout(() => process.exit(CRASH_EXIT_CODE), 1000).unref();
    void log.close().finally(() => process.exit(CRASH_EXIT_CODE));
  };
  process.on('uncaughtException', crash('uncaughtException'));
  process.on('unhandledRejection', crash('unhandledRejection'));
}
