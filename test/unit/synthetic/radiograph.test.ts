// Synthetic radiographs: valid DX (For Presentation / For Processing) and CR files by dciodvfy, read back by pydicom
// as an independent reader (size, photometric, bits, spacings, the stored pixels at the metal boxes and elsewhere).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SOP } from '../../../src/dicom/uids.js';
import { RADIOGRAPH_DENSITY, renderRadiographPattern, TransferSyntax,
  writeSyntheticRadiograph } from '../../../src/synthetic/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'radiograph-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function dciodvfy(file: string): { errors: string[]; warnings: string[] } {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  const lines = `${r.stdout}${r.stderr}`.split('\n');
  return { errors: lines.filter((l) => l.startsWith('Error')), warnings: lines.filter((l) => l.startsWith('Warning')) };
}

/** pydicom's view of the file: header facts and the decoded pixel values at the points asked. */
function pydicom(file: string, points: Array<[number, number]>): Record<string, unknown> {
  const script = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1]); a = ds.pixel_array
pts = json.loads(sys.argv[2])
print(json.dumps({"sop": ds.SOPClassUID, "modality": ds.Modality, "rows": ds.Rows, "columns": ds.Columns,
  "photometric": ds.PhotometricInterpretation, "bitsStored": ds.BitsStored, "imager": [float(x) for x in ds.ImagerPixelSpacing],
  "pixel": [float(x) for x in ds.PixelSpacing] if "PixelSpacing" in ds else None, "shape": list(a.shape),
  "values": [int(a[y][x]) for x, y in pts], "max": int(a.max()), "min": int(a.min())}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file, JSON.stringify(points)],
    { encoding: 'utf8' }));
}

const metal = { x0: 300, y0: 400, x1: 340, y1: 460 };

describe('synthetic radiographs', () => {
  it('a portrait 2500×2000 DX For Presentation, MONOCHROME2, 12 bits: valid, and metal is the brightest value',
    async () => {
      const r = await writeSyntheticRadiograph(path.join(tmp, 'dx.dcm'),
        { rows: 2500, columns: 2000, objects: [metal] });
      expect(dciodvfy(r.file)).toEqual({ errors: [], warnings: [] });
      const read = pydicom(r.file, [[300, 400], [339, 459], [299, 400], [340, 459], [5, 5]]);
      expect(read).toMatchObject({
        sop: SOP.digitalXRayImageStorageForPresentation, modality: 'DX', rows: 2500, columns: 2000, shape: [2500, 2000],
        photometric: 'MONOCHROME2', bitsStored: 12, imager: [0.15, 0.15], pixel: null, max: 4095,
      });
      const [inA, inB, leftOf, rightOf, air] = read.values as number[];
      expect([inA, inB]).toEqual([4095, 4095]);
      expect(leftOf).toBeLessThan(0.8 * 4095); // the box ends exactly where it says
      expect(rightOf).toBeLessThan(0.8 * 4095);
      expect(air).toBeLessThan(0.1 * 4095);
    });

  it('a 512² lateral DX, MONOCHROME1, 16 bits with a calibrated Pixel Spacing: metal is the darkest value',
    async () => {
      const r = await writeSyntheticRadiograph(path.join(tmp, 'dx1.dcm'), {
        view: 'lateral', photometric: 'MONOCHROME1', bitsStored: 16, pixelSpacing: 0.14,
        objects: [{ x0: 10, y0: 20, x1: 30, y1: 25 }],
      });
      expect(dciodvfy(r.file).errors).toEqual([]);
      const read = pydicom(r.file, [[10, 20], [29, 24], [5, 5]]);
      expect(read).toMatchObject(
        { rows: 512, columns: 512, photometric: 'MONOCHROME1', bitsStored: 16, pixel: [0.14, 0.14], min: 0 });
      const [inA, inB, air] = read.values as number[];
      expect([inA, inB]).toEqual([0, 0]);
      expect(air).toBeGreaterThan(0.9 * 65535); // air is bright when stored inverted
    });

  it('DX For Processing and CR (MONOCHROME1) are valid too, and JPEG-LS lossless keeps every pixel (DCMTK decodes)',
    async () => {
      const dxp = await writeSyntheticRadiograph(path.join(tmp, 'dxp.dcm'), { kind: 'DX-processing' });
      const cr = await writeSyntheticRadiograph(path.join(tmp, 'cr.dcm'), { kind: 'CR', photometric: 'MONOCHROME1' });
      expect(dciodvfy(dxp.file).errors).toEqual([]);
      expect(dciodvfy(cr.file).errors).toEqual([]);
      expect(pydicom(cr.file, [])).toMatchObject({ sop: SOP.computedRadiographyImageStorage, modality: 'CR' });
      const ls = await writeSyntheticRadiograph(path.join(tmp, 'ls.dcm'), {
        transferSyntaxUid: TransferSyntax.jpegLsLossless, objects: [metal], seed: 3,
      });
      expect(dciodvfy(ls.file).errors).toEqual([]);
      const points: Array<[number, number]> = [[0, 0], [300, 400], [256, 256], [100, 300], [511, 511]];
      // pydicom here has no JPEG-LS decoder: DCMTK's dcmdjpls decompresses, pydicom reads the result
      const plain = path.join(tmp, 'ls-plain.dcm');
      execFileSync('dcmdjpls', [ls.file, plain]);
      expect(pydicom(plain, points).values).toEqual(points.map(([x, y]) => ls.stored[y * 512 + x]));
    });

  it('voiLutFunction false keeps the header window but writes no VOI LUT Function (for OHIF 3.13), still valid',
    async () => {
      const r = await writeSyntheticRadiograph(path.join(tmp, 'dx-novoi.dcm'), { voiLutFunction: false });
      expect(dciodvfy(r.file)).toEqual({ errors: [], warnings: [] });
      const dump = execFileSync('dcmdump', ['+P', '0028,1050', '+P', '0028,1051', '+P', '0028,1056', r.file],
        { encoding: 'utf8' });
      expect(dump).toMatch(/WindowCenter/);
      expect(dump).toMatch(/WindowWidth/);
      expect(dump).not.toMatch(/VOILUTFunction/);
      const plain = await writeSyntheticRadiograph(path.join(tmp, 'dx-voi.dcm'));
      expect(execFileSync('dcmdump', ['+P', '0028,1056', plain.file], { encoding: 'utf8' })).toMatch(/\[LINEAR\]/);
    });

  it('frontal and lateral differ where a classifier looks: mediastinum vs lungs across the middle of the chest', () => {
    const bandMean = (d: Float32Array, columns: number, rows: number, from: number, to: number) => {
      let sum = 0, n = 0;
      for (let j = Math.round(0.25 * rows); j < Math.round(0.55 * rows); j++) {
        for (let i = Math.round(from * columns); i < Math.round(to * columns); i++) { sum += d[j * columns + i]!; n++; }
      }
      return sum / n;
    };
    for (const view of ['frontal', 'lateral'] as const) {
      const p = renderRadiographPattern({ view, rows: 400, columns: 320 });
      const centre = bandMean(p.density, 320, 400, 0.47, 0.53);
      const sides = (bandMean(p.density, 320, 400, 0.3, 0.36) + bandMean(p.density, 320, 400, 0.64, 0.7)) / 2;
      if (view === 'frontal') expect(centre - sides).toBeGreaterThan(0.3);
      else expect(centre - sides).toBeLessThan(0.05);
    }
    expect(RADIOGRAPH_DENSITY.mediastinum - RADIOGRAPH_DENSITY.lung).toBeGreaterThan(0.4);
  });
});
