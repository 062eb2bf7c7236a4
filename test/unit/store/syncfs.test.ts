// syncfs through the long-lived helper shell: answers in order, reports a failure, survives its death.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../src/paths.js';
import { syncFileSystem } from '../../../src/store/syncfs.js';

describe('syncFileSystem', () => {
  it('answers several requests in order and fails one for a missing directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syncfs-'));
    const results = await Promise.allSettled(
      [syncFileSystem(dir), syncFileSystem(path.join(dir, 'missing')), syncFileSystem(dir)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('does not keep a process alive that has nothing else to do', () => {
    const script = `import('${path.join(projectRoot, 'dist/src/store/syncfs.js')}').then((m) => m.syncFileSystem('${os.tmpdir()}')).then(() => console.log('synced'))`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stdout.trim()).toBe('synced');
    expect(r.status).toBe(0); // exited by itself (a kept-alive helper would run into the timeout)
  });
});
