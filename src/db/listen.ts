// LISTEN/NOTIFY on the shared PostgreSQL queue: a second, asynchronous connection that wakes this node's idle stages
// when another node commits work (db.notify in the inserting transaction). Polling stays the fallback, so a lost
// connection only delays wake-ups until it is back.
import { endClient, nativeClient } from './postgres.js';

export type WorkChannel = 'jobs' | 'deliveries' | 'completions';
export interface WorkListener { close(): Promise<void> }
/** What the listener reports (db/ does not log: the caller's logger takes these). */
export interface ListenLog {
  warn(event: string, fields: Record<string, unknown>): void; info(event: string, fields: Record<string, unknown>): void
}

const RECONNECT_MS = 5_000;

export function listenForWork(url: string, log: ListenLog, wake: Record<WorkChannel, () => void>): WorkListener {
  let client: ReturnType<typeof nativeClient> | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const lost = (reason: string) => {
    if (closed) return;
    log.warn('db.listen.lost', { reason, retryMs: RECONNECT_MS });
    const c = client;
    client = undefined;
    try { if (c) endClient(c); } catch { /* already gone */ }
    retry = setTimeout(connect, RECONNECT_MS);
    retry.unref();
  };

  function connect(): void {
    if (closed) return;
    const c = nativeClient();
    client = c;
    c.on('error', (err: Error) => lost(err.message));
    c.connect(url, (err) => {
      if (err) return lost(err.message);
      c.query((Object.keys(wake) as WorkChannel[]).map((ch) => `LISTEN dain_${ch}`).join('; '), (qerr) => {
        if (qerr) return lost(qerr.message);
        log.info('db.listen.ready', { channels: Object.keys(wake) });
        // Listening starts the reader (pg-native reads the socket only while someone waits for notifications).
        // libpq names the channel relname
        c.on('notification', (msg: { relname?: string }) =>
          wake[(msg.relname ?? '').replace(/^dain_/, '') as WorkChannel]?.());
      });
    });
  }

  connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      try { if (c) endClient(c); } catch { /* already gone */ }
    },
  };
}
