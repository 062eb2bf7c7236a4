// Geometry: slice order from positions (not file order), LPS affine against the headers, and every refusal.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeriesVolume, VolumeError, type LoadedSeries } from '../../../src/infer/volume/index.js';
import { writeSyntheticCtSeries, type SyntheticSeriesOptions } from '../../../src/synthetic/index.js';
import { realData, tempDir, voxelToPatient } from './fixtures.js';

const tmp = tempDir('geometry');
afterAll(() => tmp.remove());
let seriesCount = 0;
const small = { slices: 6, rows: 24, columns: 32, pixelSpacing: 0.8, sliceSpacing: 2 } satisfies SyntheticSeriesOptions;

async function write(opts: SyntheticSeriesOptions) {
  return writeSyntheticCtSeries(path.join(tmp.dir, `s${++seriesCount}`), { ...small, ...opts });
}

const sameSeries = (s: { studyInstanceUid: string; seriesInstanceUid: string; frameOfReferenceUid: string }) => ({
  studyInstanceUid: s.studyInstanceUid,
  seriesInstanceUid: s.seriesInstanceUid,
  frameOfReferenceUid: s.frameOfReferenceUid,
});

async function refusal(files: string[], opts?: Parameters<typeof loadSeriesVolume>[1]): Promise<VolumeError> {
  const err = await loadSeriesVolume(files, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VolumeError);
  return err as VolumeError;
}

/** Each slice's first voxel must land on its ImagePositionPatient, and a far voxel where the header puts it. */
function expectAffineMatchesHeaders(series: LoadedSeries): void {
  const { affine } = series.volume;
  const [cols, rows] = series.volume.dims;
  series.slices.forEach((slice, k) => {
    const ipp = slice.dataset.ImagePositionPatient as number[];
    const iop = slice.dataset.ImageOrientationPatient as number[];
    const [rowSpacing, colSpacing] = slice.dataset.PixelSpacing as number[];
    voxelToPatient(affine, 0, 0, k).forEach((x, n) => expect(x).toBeCloseTo(ipp[n]!, 3));
    const far = [0, 1, 2].map((n) =>
      ipp[n]! + (cols - 1) * colSpacing! * iop[n]! + (rows - 1) * rowSpacing! * iop[3 + n]!);
    voxelToPatient(affine, cols - 1, rows - 1, k).forEach((x, n) => expect(x).toBeCloseTo(far[n]!, 3));
  });
}

describe('slice order and affine', () => {
  it('sorts shuffled files by position along the normal, not by file name or InstanceNumber', async () => {
    const written = await write({ shuffle: true });
    const series = await loadSeriesVolume(written.files);
    const z = series.slices.map((s) => (s.dataset.ImagePositionPatient as number[])[2]);
    expect(z).toEqual([0, 2, 4, 6, 8, 10]);
    expect(series.slices.map((s) => s.dataset.InstanceNumber)).not.toEqual(
      [1, 2, 3, 4, 5, 6]); // shuffle really shuffled…
    expect(Array.from(series.volume.data)).toEqual(Array.from(written.phantom.hu)); // …and pixels follow positions
    expect(series.volume.dims).toEqual([32, 24, 6]);
    expect(series.volume.spacing).toEqual([0.8, 0.8, 2]);
    expect(series.seriesInstanceUid).toBe(written.seriesInstanceUid);
    expect(series.frameOfReferenceUid).toBe(written.frameOfReferenceUid);
    expect(series.volume.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expectAffineMatchesHeaders(series);
  });

  it('turns a series written head-first-down (reversed z) around so k grows towards the head', async () => {
    const written = await write({ reverse: true });
    const series = await loadSeriesVolume(written.files);
    const z = series.slices.map((s) => (s.dataset.ImagePositionPatient as number[])[2]);
    expect(z).toEqual([-10, -8, -6, -4, -2, 0]);
    expect(series.slices.map((s) => s.dataset.InstanceNumber)).toEqual([6, 5, 4, 3, 2, 1]);
    const sliceSize = 32 * 24;
    for (let k = 0; k < 6; k++) {
      const loaded = series.volume.data.subarray(k * sliceSize, (k + 1) * sliceSize);
      const source = written.phantom.hu.subarray((5 - k) * sliceSize, (6 - k) * sliceSize);
      expect(Array.from(loaded)).toEqual(Array.from(source));
    }
    expectAffineMatchesHeaders(series);
  });

  it('gives a sagittal series the affine DICOM defines: i → posterior, j → inferior, k → right', async () => {
    const written = await write({ orientation: 'sagittal', shuffle: true, origin: [10, -20, 30] });
    const series = await loadSeriesVolume(written.files);
    // row direction (0,1,0), column direction (0,0,-1), normal = row × column = (-1,0,0); slice step 2 mm
    // slice k sits at x = 10 - 2k, so k = 0 is the most left one and k grows towards the right
    // prettier-ignore
    const expected = [
      0,    0, -2, 10,
      0.8,  0,  0, -20,
      0, -0.8,  0, 30,
      0,    0,  0, 1,
    ];
    series.volume.affine.forEach((x, n) => expect(x).toBeCloseTo(expected[n]!, 6));
    expectAffineMatchesHeaders(series);
  });

  it('handles coronal slices (normal = +y) the same way', async () => {
    const series = await loadSeriesVolume((await write({ orientation: 'coronal', shuffle: true })).files);
    expect(series.volume.affine.slice(0, 12).map((x) => Number(x.toFixed(6)) + 0)).toEqual(
      [0.8, 0, 0, -12.8, 0, 0, 2, -9.6, 0, -0.8, 0, 0]);
    expectAffineMatchesHeaders(series);
  });

  it('loads the real 3-slice CT (dcmqi) with plausible HU', async () => {
    const dir = path.join(realData, 'dcmqi-ct3');
    const series = await loadSeriesVolume(['03.dcm', '01.dcm', '02.dcm'].map((f) => path.join(dir, f)),
      { minSlices: 3 });
    expect(series.volume.dims).toEqual([512, 512, 3]);
    expect(series.volume.spacing[0]).toBeCloseTo(0.810547, 6);
    expect(series.volume.spacing[2]).toBeCloseTo(1.0, 3); // from positions, not the 1.25 mm SliceThickness
    const data = series.volume.data;
    const air = data[20 + 512 * 256]!; // left of the patient, inside the scan circle
    expect(air).toBeGreaterThan(-1100);
    expect(air).toBeLessThan(-900);
    const tissue = data[256 + 512 * 100 + 512 * 512]!; // anterior abdominal wall, middle slice
    expect(tissue).toBeGreaterThan(-200);
    expect(tissue).toBeLessThan(200);
    // outside the scan circle the scanner wrote PixelPaddingValue −2000, i.e. −3024 HU after rescale
    expect(data[5 + 512 * 5]).toBe(-3024);
    expect(data.reduce((m, x) => Math.max(m, x), -Infinity)).toBeLessThan(3100);
    expectAffineMatchesHeaders(series);
  });
});

describe('refusals', () => {
  it('refuses a series with a missing slice (NON_UNIFORM_SPACING)', async () => {
    const err = await refusal((await write({ missingSlice: 3 })).files);
    expect(err.code).toBe('NON_UNIFORM_SPACING');
    expect(err.message).toMatch(/missing slice/);
  });

  it('refuses a gantry-tilted (sheared) stack (GANTRY_TILT)', async () => {
    const err = await refusal((await write({ tiltDegrees: 15 })).files);
    expect(err.code).toBe('GANTRY_TILT');
  });

  it('refuses slices of different sizes (MIXED_SIZE)', async () => {
    const a = await write({ slices: 3 });
    const b = await write({ slices: 3, rows: 28, origin: [-12.8, -9.6, 6], ...sameSeries(a) });
    const err = await refusal([...a.files, ...b.files]);
    expect(err.code).toBe('MIXED_SIZE');
  });

  it('refuses mixed orientations (MIXED_ORIENTATION)', async () => {
    const a = await write({ slices: 3 });
    const b = await write({ slices: 3, orientation: 'coronal', ...sameSeries(a) });
    expect((await refusal([...a.files, ...b.files])).code).toBe('MIXED_ORIENTATION');
  });

  it('refuses files from two series (MIXED_SERIES)', async () => {
    const a = await write({ slices: 3 });
    const b = await write({ slices: 3, origin: [-12.8, -9.6, 6], frameOfReferenceUid: a.frameOfReferenceUid });
    expect((await refusal([...a.files, ...b.files])).code).toBe('MIXED_SERIES');
  });

  it('refuses two slices at one position (DUPLICATE_POSITION)', async () => {
    const a = await write({ slices: 3 });
    const b = await write({ slices: 3, ...sameSeries(a) });
    expect((await refusal([...a.files, ...b.files])).code).toBe('DUPLICATE_POSITION');
  });

  it('refuses fewer slices than required (TOO_FEW_SLICES), and honours minSlices', async () => {
    const two = await write({ slices: 2 });
    const err = await refusal(two.files);
    expect(err.code).toBe('TOO_FEW_SLICES');
    expect((await loadSeriesVolume(two.files, { minSlices: 2 })).volume.dims[2]).toBe(2);
    const one = await loadSeriesVolume([two.files[0]!], { minSlices: 1 });
    expect(one.volume.dims[2]).toBe(1);
    expect(one.volume.spacing[2]).toBe(2); // a single slice falls back to its SliceThickness
  });

  it('refuses a segmentation object (NOT_AN_IMAGE) and an unreadable path (READ_FAILED)', async () => {
    const seg = path.join(realData, 'dcmqi-seg-sr', 'liver-seg.dcm');
    expect((await refusal([seg], { minSlices: 1 })).code).toBe('NOT_AN_IMAGE');
    expect((await refusal([path.join(tmp.dir, 'nope.dcm')])).code).toBe('READ_FAILED');
  });

  it('refuses a file without Part 10 meta header and a truncated file with a code, not a crash', async () => {
    const noMeta = await refusal([path.join(realData, 'pydicom', 'ExplVR_LitEndNoMeta.dcm')], { minSlices: 1 });
    expect(noMeta.code).toBe('READ_FAILED');
    const truncated = await refusal([path.join(realData, 'pydicom', 'MR_truncated.dcm')], { minSlices: 1 });
    expect(truncated.code).toBe('READ_FAILED'); // not a slice silently zero-filled at its end
    expect(truncated.message).toMatch(/truncated/);
  });

  it('refuses colour images (UNSUPPORTED_PIXEL_DATA): a volume is greyscale', async () => {
    const err = await refusal([path.join(realData, 'pydicom', 'SC_rgb_rle.dcm')], { minSlices: 1 });
    expect(err.code).toBe('UNSUPPORTED_PIXEL_DATA');
  });
});
