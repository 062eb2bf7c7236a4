// The receive journal's ring on its own: what a reopened ring finds (committed records across the
// wrap, nothing past a torn or stale record) and that space is reused only behind a durable tail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReceiveJournal } from '../../../src/store/journal.js';
import { HEADER_AREA, Kind } from '../../../src/store/journal-record.js';

const dirs: string[] = [];
function ringFile(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-'));
  dirs.push(d);
  return path.join(d, 'receive.ring');
}
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

const SIZE = HEADER_AREA + 64 * 1024;
const bytes = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe('receive journal ring', () => {
  it('finds every record written, with its bytes, after reopening', () => {
    const file = ringFile();
    const j = new ReceiveJournal(file, SIZE);
    const a = j.append(Kind.Fragment, undefined, 0, [bytes(1000, 1)])!;
    j.append(Kind.Fragment, a.txid, 1000, [bytes(500, 2)]);
    j.append(Kind.Commit, a.txid, 1500, [Buffer.from('{"x":1}')]);
    j.close();
    const again = new ReceiveJournal(file, SIZE);
    expect(again.found.map((r) => [r.kind, r.txid, r.offset, r.length])).toEqual([
      [Kind.Fragment, a.txid, 0, 1000], [Kind.Fragment, a.txid, 1000, 500], [Kind.Commit, a.txid, 1500, 7],
    ]);
    expect(again.read(again.found[1].payloadAt, 500).equals(bytes(500, 2))).toBe(true);
    again.close();
  });

  it('stops at a torn record: nothing after it is taken for data', () => {
    const file = ringFile();
    const j = new ReceiveJournal(file, SIZE);
    const first = j.append(Kind.Fragment, undefined, 0, [bytes(800, 3)])!;
    const second = j.append(Kind.Fragment, undefined, 0, [bytes(800, 4)])!;
    j.append(Kind.Commit, first.txid, 800, [Buffer.from('{}')]);
    j.close();
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.from([0xee]), 0, 1, HEADER_AREA + second.payloadAt + 10); // one flipped byte
    fs.closeSync(fd);
    const again = new ReceiveJournal(file, SIZE);
    expect(again.found.map((r) => r.txid)).toEqual([first.txid]);
    again.close();
  });

  it('refuses to overwrite records until their release made the tail durable, then wraps', async () => {
    const file = ringFile();
    const j = new ReceiveJournal(file, SIZE);
    const chunk = bytes(20_000, 5);
    const kept = [j.append(Kind.Fragment, undefined, 0, [chunk])!, j.append(Kind.Fragment, undefined, 0, [chunk])!,
      j.append(Kind.Fragment, undefined, 0, [chunk])!];
    expect(j.append(Kind.Fragment, undefined, 0, [chunk])).toBeUndefined(); // ring full: the caller goes direct
    for (const k of kept) j.forget(k.txid);
    // forgotten, but the tail is not on disk yet
    expect(j.append(Kind.Fragment, undefined, 0, [chunk])).toBeUndefined();
    await j.advanceTail();
    const wrapped = j.append(Kind.Fragment, undefined, 0, [chunk])!; // crosses the end of the ring
    expect(wrapped).toBeDefined();
    j.append(Kind.Commit, wrapped.txid, chunk.length, [Buffer.from('{}')]);
    await j.durable();
    j.close();
    const again = new ReceiveJournal(file, SIZE);
    expect(again.found.map((r) => r.txid)).toEqual([wrapped.txid, wrapped.txid]);
    expect(again.read(again.found[0].payloadAt, chunk.length).equals(chunk)).toBe(true);
    again.close();
  });
});
