// The instance writer bounds what waits for the disk: it asks its producer to pause above 4 MiB
// pending and to resume below 1 MiB, and a failed write surfaces at finish(), never as a throw.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstanceWriter } from '../../../src/store/instance-writer.js';

const tmp = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'writer-')), 'x.part');

describe('InstanceWriter', () => {
  it('pauses the producer when more than 4 MiB wait for the disk and resumes after they drain', async () => {
    const signals: boolean[] = [];
    const file = tmp();
    const w = new InstanceWriter(file, (paused) => signals.push(paused));
    const chunk = Buffer.alloc(256 * 1024, 7);
    for (let i = 0; i < 40; i++) w.write(chunk); // 10 MiB written faster than any disk takes it
    expect(signals[0]).toBe(true);
    await w.finish();
    expect(signals.at(-1)).toBe(false);
    expect(fs.statSync(file).size).toBe(40 * chunk.length);
    expect(w.bytesWritten).toBe(40 * chunk.length);
  });

  it('keeps the bytes in order across coalesced writes', async () => {
    const file = tmp();
    const w = new InstanceWriter(file);
    const parts = Array.from({ length: 500 }, (_, i) => Buffer.from(`part-${i};`));
    for (const p of parts) w.write(p);
    await w.finish();
    expect(fs.readFileSync(file, 'latin1')).toBe(parts.join(''));
  });

  it('reports a write failure at finish() and abandon() removes the file', async () => {
    const file = tmp();
    fs.writeFileSync(file, 'already here'); // open with 'wx' fails
    const w = new InstanceWriter(file);
    w.write(Buffer.from('data'));
    await expect(w.finish()).rejects.toMatchObject({ code: 'EEXIST' });
    await w.abandon();
    expect(fs.existsSync(file)).toBe(false);
  });
});
