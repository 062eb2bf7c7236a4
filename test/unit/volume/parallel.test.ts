// The loader's helper threads: a series split over several threads gives exactly the volume one thread
// gives (native and compressed files mixed), and a bad file in a helper's share is refused with its code.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeriesVolume, VolumeError, type LoadedSeries } from '../../../src/infer/volume/index.js';
import { TransferSyntax } from '../../../src/synthetic/part10.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';
import { tempDir } from './fixtures.js';

const tmp = tempDir('parallel');
afterAll(() => tmp.remove());
let files: string[] = [];

beforeAll(async () => {
  // one series, files in four syntaxes: each thread's share meets native little/big endian and RLE
  const common = { slices: 12, rows: 40, columns: 48, seriesInstanceUid: '2.25.9001', studyInstanceUid: '2.25.9000',
    frameOfReferenceUid: '2.25.9002' };
  const syntaxes =
    [TransferSyntax.explicitLittle, TransferSyntax.implicitLittle, TransferSyntax.explicitBig, TransferSyntax.rle];
  const written = await Promise.all(syntaxes.map((ts, n) =>
    writeSyntheticCtSeries(path.join(tmp.dir, `ts${n}`), { ...common, transferSyntaxUid: ts })));
  // slice k comes from syntax k % 4: the same phantom, so the volume must not depend on who decoded it
  files = written[0]!.files.map((_, k) => written[k % syntaxes.length]!.files[k]!);
}, 60_000);

describe('volume loader with helper threads', () => {
  let single: LoadedSeries;
  beforeAll(async () => { single = await loadSeriesVolume(files, { threads: 1 }); }, 60_000);

  it.each([2, 3])('gives the identical volume with %i threads', async (threads) => {
    const parallel = await loadSeriesVolume(files, { threads });
    expect(parallel.volume.dims).toEqual(single.volume.dims);
    expect(parallel.slices.map((s) => s.sopInstanceUid)).toEqual(single.slices.map((s) => s.sopInstanceUid));
    expect(Buffer.from(parallel.volume.data.buffer).equals(Buffer.from(single.volume.data.buffer))).toBe(true);
    // not a volume of zeros: the phantom has air (−1000) and tissue
    expect(Math.min(...parallel.volume.data.subarray(0, 2000))).toBeLessThan(-900);
  }, 60_000);

  it('reports a refusal from a helper\'s header share (a header cut short: NOT_AN_IMAGE)', async () => {
    const err = await loadWithBroken(files.length - 1, 600, 3);
    expect(err.code).toBe('NOT_AN_IMAGE');
    expect(err.message).toContain('broken.dcm');
  }, 60_000);

  it('reports a refusal from a helper\'s pixel share (pixel data cut short: READ_FAILED)', async () => {
    // 12 files over 3 threads: file 8 (explicit little endian) opens the last helper's share
    const err = await loadWithBroken(8, fs.statSync(files[8]!).size - 1000, 3);
    expect(err.code).toBe('READ_FAILED');
    expect(err.message).toContain('broken.dcm');
    expect(err.message).toMatch(/truncated/);
  }, 60_000);
});

async function loadWithBroken(index: number, keepBytes: number, threads: number): Promise<VolumeError> {
  const broken = path.join(tmp.dir, 'broken.dcm');
  fs.writeFileSync(broken, fs.readFileSync(files[index]!).subarray(0, keepBytes));
  const err = await loadSeriesVolume(files.map((f, n) => (n === index ? broken : f)), { threads })
    .then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(VolumeError);
  return err as VolumeError;
}
