// Synthetic CT: the phantom's masks agree with its HU, the written files are valid CT (dciodvfy) and
// readable by DCMTK, and the series round-trips through loadSeriesVolume to the same HU.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { PHANTOM_HU, phantomHu, TransferSyntax, writeSyntheticCtSeries } from '../../../src/synthetic/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'synthetic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const NOISE = 10;

describe('phantomHu', () => {
  const phantom = phantomHu({ slices: 40, rows: 96, columns: 128, noise: NOISE });
  const [columns, rows, slices] = phantom.dims;

  it('has the requested grid', () => {
    expect(phantom.dims).toEqual([128, 96, 40]);
    expect(phantom.hu).toHaveLength(128 * 96 * 40);
  });

  it('lung mask voxels are lung HU (−850 ± noise), and every lung-HU voxel is in the lung mask', () => {
    let lungVoxels = 0;
    let disagreements = 0;
    for (let v = 0; v < phantom.hu.length; v++) {
      const isLungHu = Math.abs(phantom.hu[v]! - PHANTOM_HU.lung) <= NOISE;
      if ((phantom.lungMask[v] === 1) !== isLungHu) disagreements++;
      lungVoxels += phantom.lungMask[v]!;
    }
    expect(disagreements).toBe(0);
    expect(lungVoxels).toBeGreaterThan(0.03 * phantom.hu.length); // two real lungs, not a speck
  });

  it('body mask is exactly the non-air, non-lung, non-table voxels, and never overlaps lung', () => {
    let disagreements = 0;
    for (let v = 0; v < phantom.hu.length; v++) {
      const hu = phantom.hu[v]!;
      const outside = hu === PHANTOM_HU.air || hu === PHANTOM_HU.table;
      const lung = phantom.lungMask[v] === 1;
      if (phantom.bodyMask[v] !== (outside || lung ? 0 : 1)) disagreements++;
    }
    expect(disagreements).toBe(0);
  });

  it('keeps the lungs off the body edge and the table apart from the body', () => {
    const sliceSize = columns * rows;
    let lungTouchingAir = 0;
    for (let k = 0; k < slices; k++) {
      for (let j = 0; j < rows; j++) {
        for (let i = 0; i < columns; i++) {
          const v = k * sliceSize + j * columns + i;
          if (phantom.lungMask[v] !== 1) continue;
          // every 4-neighbour of a lung voxel is lung or body: no lung voxel touches air
          for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
            const n = v + di + dj * columns;
            if (phantom.lungMask[n]! + phantom.bodyMask[n]! !== 1) lungTouchingAir++;
          }
        }
      }
    }
    expect(lungTouchingAir).toBe(0);
    const tableRows = new Set<number>();
    const bodyRows = new Set<number>();
    for (let p = 0; p < sliceSize; p++) {
      if (phantom.hu[p] === PHANTOM_HU.table) tableRows.add(Math.floor(p / columns));
      if (phantom.bodyMask[p] === 1) bodyRows.add(Math.floor(p / columns));
    }
    expect(tableRows.size).toBeGreaterThan(0);
    expect(Math.min(...tableRows)).toBeGreaterThan(Math.max(...bodyRows) + 1); // an air gap under the body
  });

  it('has soft tissue, a fat rim and bone inside the body', () => {
    const values = new Set(Array.from(phantom.hu.filter((_, v) => phantom.bodyMask[v] === 1),
      (x) => Math.round(x / 50) * 50));
    for (const hu of [PHANTOM_HU.softTissue, PHANTOM_HU.fat, PHANTOM_HU.bone])
      expect(values.has(Math.round(hu / 50) * 50)).toBe(true);
  });

  it('is deterministic', () => {
    const again = phantomHu({ slices: 40, rows: 96, columns: 128, noise: NOISE }).hu;
    expect(Buffer.compare(Buffer.from(again.buffer), Buffer.from(phantom.hu.buffer))).toBe(0);
    expect(new Set(phantom.hu.subarray(0, columns * rows)).size).toBeGreaterThan(20); // and really noisy
  });
});

describe('writeSyntheticCtSeries', () => {
  it('writes files that dciodvfy accepts as CT Image without errors', async () => {
    const written = await writeSyntheticCtSeries(path.join(tmp, 'valid'), { slices: 3, rows: 32, columns: 40 });
    for (const file of written.files) {
      const run = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
      const report = `${run.stdout}${run.stderr}`;
      expect(report).toMatch(/CTImage/);
      expect(report).not.toMatch(/^Error/m);
    }
  });

  it('round-trips through loadSeriesVolume to the same HU, with the given identity and patient attributes',
    async () => {
      const written = await writeSyntheticCtSeries(path.join(tmp, 'roundtrip'), {
        slices: 8, rows: 48, columns: 64, pixelSpacing: 0.7, sliceSpacing: 1.0, shuffle: true,
        studyInstanceUid: '2.25.100', seriesInstanceUid: '2.25.101', frameOfReferenceUid: '2.25.102', patientId: 'P-42',
      });
      expect(written.files).toHaveLength(8);
      const series = await loadSeriesVolume(written.files);
      expect(series.studyInstanceUid).toBe('2.25.100');
      expect(series.seriesInstanceUid).toBe('2.25.101');
      expect(series.frameOfReferenceUid).toBe('2.25.102');
      expect(series.slices[0]!.dataset.PatientID).toBe('P-42');
      expect(series.volume.spacing).toEqual([0.7, 0.7, 1]);
      expect(Array.from(series.volume.data)).toEqual(Array.from(written.phantom.hu));
    });

  it('uses random 2.25 UIDs by default, fresh per series', async () => {
    const a = await writeSyntheticCtSeries(path.join(tmp, 'uid-a'), { slices: 1, rows: 8, columns: 8 });
    const b = await writeSyntheticCtSeries(path.join(tmp, 'uid-b'), { slices: 1, rows: 8, columns: 8 });
    for (const uid of [a.studyInstanceUid, a.seriesInstanceUid, a.frameOfReferenceUid])
      expect(uid).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    expect(a.seriesInstanceUid).not.toBe(b.seriesInstanceUid);
  });

  // DCMTK decompresses what our encoders wrote: proof the encapsulated streams are standard, not only self-consistent
  it.each([
    ['RLE', TransferSyntax.rle, 'dcmdrle'],
    ['JPEG lossless', TransferSyntax.jpegLossless, 'dcmdjpeg'],
    ['JPEG-LS lossless', TransferSyntax.jpegLsLossless, 'dcmdjpls'],
  ])('%s files decompress with DCMTK to the phantom HU', async (_name, ts, tool) => {
    const written = await writeSyntheticCtSeries(path.join(tmp, `ts-${tool}`),
      { slices: 3, rows: 24, columns: 32, transferSyntaxUid: ts });
    const native = written.files.map((file) => {
      const out = `${file}.native.dcm`;
      execFileSync(tool, [file, out], { stdio: 'pipe' });
      return out;
    });
    const series = await loadSeriesVolume(native);
    expect(Array.from(series.volume.data)).toEqual(Array.from(written.phantom.hu));
    expect(spawnSync('dciodvfy', [written.files[0]!], { encoding: 'utf8' }).stderr).not.toMatch(/^Error/m);
  });

  it.each([TransferSyntax.implicitLittle, TransferSyntax.explicitBig, TransferSyntax.jpeg2000Lossless])(
    'transfer syntax %s round-trips through loadSeriesVolume',
    async (ts) => {
      const written = await writeSyntheticCtSeries(path.join(tmp, `ts-${ts}`),
        { slices: 3, rows: 24, columns: 32, transferSyntaxUid: ts });
      const dump = execFileSync('dcmdump', ['-M', '+P', '0002,0010', written.files[0]!], { encoding: 'utf8' });
      expect(dump).toContain(ts === TransferSyntax.jpeg2000Lossless ? 'JPEG2000LosslessOnly'
        : ts === TransferSyntax.explicitBig ? 'BigEndianExplicit' : 'LittleEndianImplicit');
      const series = await loadSeriesVolume(written.files);
      expect(Array.from(series.volume.data)).toEqual(Array.from(written.phantom.hu));
    },
  );
});
