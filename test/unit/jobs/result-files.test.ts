// Result files on a real full filesystem (a small tmpfs): a failed write leaves no temp file, and
// the start-up sweep removes temp files of other (dead) processes but not this one's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeOrphanTempFiles, writeFileDurably } from '../../../src/durable-file.js';
import { canMount, fillDisk, mountSmallDisk, type SmallDisk } from '../../support/tmpfs.js';

let disk: SmallDisk | undefined;
afterEach(() => { disk?.unmount(); disk = undefined; });

describe('result files', () => {
  it.skipIf(!canMount)('a write that meets a full disk fails and removes its partial temp file', async () => {
    disk = mountSmallDisk(4)!;
    const dir = path.join(disk.dir, 'results', '7');
    fs.mkdirSync(dir, { recursive: true });
    const free = fs.statfsSync(disk.dir);
    const bytes = new Uint8Array(free.bavail * free.bsize + (1 << 20)); // more than fits
    await expect(writeFileDurably(path.join(dir, 'seg.dcm'), bytes)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(fs.readdirSync(dir)).toEqual([]);
    // The space came back: the next write fits.
    fillDisk(path.join(disk.dir, 'filler'));
    fs.rmSync(path.join(disk.dir, 'filler'));
    await writeFileDurably(path.join(dir, 'sr.dcm'), new Uint8Array(1000));
    expect(fs.readdirSync(dir)).toEqual(['sr.dcm']);
  });

  it('sweeps temp files left by another process, and keeps results and this process\'s temps', async () => {
    const results = fs.mkdtempSync(path.join(os.tmpdir(), 'results-'));
    fs.mkdirSync(path.join(results, '3'));
    const orphan = path.join(results, '3', '.seg.dcm.999999.tmp');
    const mine = path.join(results, '3', `.sr.dcm.${process.pid}.tmp`);
    for (const f of [orphan, mine, path.join(results, '3', 'seg.dcm')]) fs.writeFileSync(f, 'x');
    expect(await removeOrphanTempFiles(results)).toEqual([orphan]);
    expect(fs.readdirSync(path.join(results, '3')).sort()).toEqual([`.sr.dcm.${process.pid}.tmp`, 'seg.dcm']);
    expect(await removeOrphanTempFiles(path.join(results, 'missing'))).toEqual([]);
  });
});
