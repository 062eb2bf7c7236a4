// Durable commits without blocking the event loop: the database runs with synchronous=NORMAL (a
// commit appends to the WAL without fsync) and a caller that must acknowledge a commit awaits
// walSync.durable(), which fsyncs the WAL file on the libuv thread pool. Commits that arrive while
// an fsync is running share the next one (group commit). SQLite recovers every committed
// transaction whose WAL frames are on disk; a checkpoint in between syncs the WAL before copying
// it and the database file after, so the commit is durable either way.
import fs from 'node:fs';
import fsp from 'node:fs/promises';

export class WalSync {
  private handle: Promise<fsp.FileHandle> | undefined;
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /** `walPath` null: the database has no local WAL (PostgreSQL), every commit is durable already. */
  constructor(private readonly walPath: string | null) {}

  /** Resolves once every transaction committed before the call is on disk. */
  durable(): Promise<void> {
    if (!this.running) return (this.running = this.syncOnce().finally(() => { this.running = undefined; }));
    // An fsync already running may have started before our commit: wait for it, then one more.
    this.next ??= this.running.then(() => {
      this.next = undefined;
      return this.durable();
    });
    return this.next;
  }

  async close(): Promise<void> {
    await this.running?.catch(() => {});
    const h = await this.handle?.catch(() => undefined);
    await h?.close();
    this.handle = undefined;
  }

  private async syncOnce(): Promise<void> {
    if (this.walPath === null || !fs.existsSync(this.walPath)) return; // nothing committed since the WAL was removed
    this.handle ??= fsp.open(this.walPath, 'r');
    await (await this.handle).datasync();
  }
}
