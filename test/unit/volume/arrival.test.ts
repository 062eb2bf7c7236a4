// The volume assembled as a series arrives (arrival.ts, on a real helper thread) equals the loader's volume of the
// same files, whatever the arrival order and batches, with files added only at the end, stored twice with new
// content, or left out; a series it cannot take falls back to the loader, which refuses it with its code.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ArrivingSeries, loadArrivedSeries, loadSeriesVolume, VolumeError, type ArrivedFile, type LoadedSeries,
} from '../../../src/infer/volume/index.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';
import { mulberry32 } from '../../../src/synthetic/radiograph.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir('arrival');
afterAll(() => tmp.remove());
let files: string[] = [];
const common = { rows: 40, columns: 48, seriesInstanceUid: '2.25.9101', studyInstanceUid: '2.25.9100',
  frameOfReferenceUid: '2.25.9102' };

beforeAll(async () => {
  files = (await writeSyntheticCtSeries(path.join(tmp.dir, 'ct'), { ...common, slices: 20, shuffle: true })).files;
}, 60_000);

const arrived = (paths: string[], version = 'v1'): ArrivedFile[] =>
  paths.map((p) => ({ path: p, key: `${p}:${version}` }));
const bytes = (s: LoadedSeries) =>
  Buffer.from(s.volume.data.buffer, s.volume.data.byteOffset, s.volume.data.byteLength);

function expectSame(got: LoadedSeries | undefined, want: LoadedSeries): void {
  expect(got).toBeDefined();
  expect(got!.volume.dims).toEqual(want.volume.dims);
  expect(got!.volume.spacing).toEqual(want.volume.spacing);
  expect(got!.volume.affine).toEqual(want.volume.affine);
  expect(got!.slices.map((s) => s.sopInstanceUid)).toEqual(want.slices.map((s) => s.sopInstanceUid));
  expect(bytes(got!).equals(bytes(want))).toBe(true);
  expect(Math.min(...got!.volume.data.subarray(0, 1000))).toBeLessThan(-900); // not zeros: the phantom has air
}

describe('a volume assembled as its series arrives', () => {
  let loaded: LoadedSeries;
  beforeAll(async () => { loaded = await loadSeriesVolume(files, { threads: 1 }); }, 60_000);

  it('equals the loaded volume, files arriving in random order and batches', async () => {
    const random = mulberry32(3);
    const order = [...files].sort(() => random() - 0.5);
    const series = new ArrivingSeries();
    for (let at = 0; at < order.length;) {
      const n = 1 + Math.floor(random() * 5);
      series.add(arrived(order.slice(0, at + n))); // as the catch-up does: every stored file so far, again
      at += n;
    }
    expectSame(await series.finish(arrived(files)), loaded);
  }, 60_000);

  it('decodes at the end what had not arrived yet, and leaves out a file no longer in the series', async () => {
    const series = new ArrivingSeries();
    const extra = path.join(tmp.dir, 'extra');
    const other = await writeSyntheticCtSeries(extra, { ...common, slices: 3, origin: [0, 0, 500] });
    series.add(arrived([...files.slice(0, 7), other.files[0]!]));
    const got = await series.finish(arrived(files));
    expectSame(got, loaded);
    expect(series.failure).toBeUndefined();
  }, 60_000);

  it('takes the new content of a file stored again (a new key)', async () => {
    const dir = path.join(tmp.dir, 'again');
    const first = (await writeSyntheticCtSeries(dir, { ...common, slices: 6 })).files;
    const series = new ArrivingSeries();
    series.add(arrived(first));
    await vi.waitFor(() => expect(series.decoded).toBe(6), { timeout: 20_000 }); // decoded with the first content
    const before = await loadSeriesVolume(first, { threads: 1 });
    const reseeded = await writeSyntheticCtSeries(path.join(tmp.dir, 'reseeded'), { ...common, slices: 6, seed: 9 });
    fs.copyFileSync(reseeded.files[2]!, first[2]!); // same instance UIDs and positions: the same slot, other noise
    const after = await loadSeriesVolume(first, { threads: 1 });
    expect(bytes(after).equals(bytes(before))).toBe(false);
    const keys = arrived(first).map((f, n) => (n === 2 ? { ...f, key: `${f.path}:v2` } : f));
    expectSame(await series.finish(keys), after);
  }, 60_000);

  it('gives up on a slice of another size, and the loader then refuses the series with MIXED_SIZE', async () => {
    const small = await writeSyntheticCtSeries(path.join(tmp.dir, 'small'), { ...common, rows: 20, slices: 3 });
    const mixed = [...files.slice(0, 5), small.files[1]!];
    const series = new ArrivingSeries();
    series.add(arrived(mixed));
    const err = await loadArrivedSeries(series, arrived(mixed)).then(() => undefined, (e: unknown) => e);
    expect(series.failure).toMatch(/slice size changed/);
    expect(err).toBeInstanceOf(VolumeError);
    expect((err as VolumeError).code).toBe('MIXED_SIZE');
  }, 60_000);
});
