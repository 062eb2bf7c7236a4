// The state reserve on a real full filesystem (a small tmpfs): SQLite really fails with SQLITE_FULL,
// the reserve makes room for the one write that must land, and comes back once space is freed.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.js';
import { openDiskReserve, RESERVE_FILE } from '../../../src/db/disk-reserve.js';
import { canMount, fillDisk, mountSmallDisk, type SmallDisk } from '../../support/tmpfs.js';

let disk: SmallDisk | undefined;
afterEach(() => { disk?.unmount(); disk = undefined; });

describe.skipIf(!canMount)('state reserve on a full disk (tmpfs; needs root to mount)', () => {
  it('lets a write that met SQLITE_FULL land, and is restored when the disk has room again', () => {
    disk = mountSmallDisk(8)!;
    const db = openDatabase(disk.dir);
    db.exec('CREATE TABLE t (v BLOB)');
    const released: string[] = [];
    const reserve = openDiskReserve(disk.dir, 1 << 20, 0, (reason) => released.push(reason));
    expect(fs.statSync(path.join(disk.dir, RESERVE_FILE)).size).toBe(1 << 20);
    fillDisk(path.join(disk.dir, 'filler'));
    const insert = () => db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(64 * 1024, 1));
    expect(insert).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' })); // the disk really is full
    expect(reserve.write(insert).changes).toBe(1);
    expect(released).toHaveLength(1);
    expect(fs.existsSync(path.join(disk.dir, RESERVE_FILE))).toBe(false);
    expect(reserve.restore()).toBe(false); // still full: no half-written reserve eating the last bytes
    expect(fs.existsSync(path.join(disk.dir, RESERVE_FILE))).toBe(false);
    fs.rmSync(path.join(disk.dir, 'filler'));
    expect(reserve.restore()).toBe(true);
    expect(fs.statSync(path.join(disk.dir, RESERVE_FILE)).size).toBe(1 << 20);
    expect((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(1);
    db.close();
  });

  it('passes other errors through and does not spend the reserve on them', () => {
    disk = mountSmallDisk(4)!;
    const released: string[] = [];
    const reserve = openDiskReserve(disk.dir, 1 << 20, 0, (reason) => released.push(reason));
    expect(() => reserve.write(
      () => { throw Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }); })).toThrow('busy');
    expect(released).toEqual([]);
    expect(reserve.held).toBe(true);
  });
});
