// The 2D input path: letterbox / stretch geometry and its inverse, windows (header, fixed, VOI LUT, none), MONOCHROME1,
// modality LUT, channels with mean/std, the pixel spacing that applies, and real files (native and JPEG-LS) loaded.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanPart10Bytes } from '../../../../src/dicom/header-scan.js';
import { FileReader } from '../../../../src/infer/volume/fill.js';
import { modalityValues, applyVoi } from '../../../../src/infer/image2d/grey.js';
import { loadImageFrame } from '../../../../src/infer/image2d/load.js';
import { prepareImage } from '../../../../src/infer/image2d/prepare.js';
import { ImageTransform, pixelSpacingOf } from '../../../../src/infer/image2d/transform.js';
import type { Image2dInput } from '../../../../src/infer/manifest.js';
import { TransferSyntax, writeSyntheticRadiograph } from '../../../../src/synthetic/index.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'image2d-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const header: Image2dInput = { kind: 'image2d', window: { source: 'header' }, resize: 'letterbox' };
const size224 = { channels: 1, rows: 224, columns: 224 };

describe('ImageTransform', () => {
  it('letterboxes a portrait 2500×2000 into 224²: scale 224/2500, 22.4 px bands left and right, and maps back',
    async () => {
      const r = await writeSyntheticRadiograph(path.join(tmp, 'portrait.dcm'), { rows: 2500, columns: 2000, noise: 0 });
      const image = await loadImageFrame(r.file);
      const t = new ImageTransform(prepareImage(image, header, size224, new Float32Array(224 * 224)));
      expect(t.params.scaleX).toBeCloseTo(0.0896, 6);
      expect(t.params.offsetX).toBeCloseTo(22.4, 6);
      expect(t.params.offsetY).toBeCloseTo(0, 6);
      // hand-computed: the model's centre is the image's centre; the band's inner edge is the image's left edge
      const centre = t.toSourcePoint({ x: 112, y: 112 });
      expect(Math.abs(centre.x - 1000)).toBeLessThan(0.5);
      expect(Math.abs(centre.y - 1250)).toBeLessThan(0.5);
      const corner = t.toSourcePoint({ x: 22.4 + 179.2, y: 224 });
      expect(Math.abs(corner.x - 2000)).toBeLessThan(0.5);
      expect(Math.abs(corner.y - 2500)).toBeLessThan(0.5);
    });

  it('a metal object found in the letterboxed tensor maps back onto its source box', async () => {
    const box = { x0: 400, y0: 600, x1: 520, y1: 700 };
    const r = await writeSyntheticRadiograph(path.join(tmp, 'object.dcm'),
      { rows: 2500, columns: 2000, noise: 0, objects: [box] });
    const tensor = new Float32Array(224 * 224);
    const t = new ImageTransform(prepareImage(await loadImageFrame(r.file), header, size224, tensor));
    // intensity-weighted centroid of the object's excess over the soft tissue around it, in model pixels
    let sum = 0, sx = 0, sy = 0;
    for (let y = 40; y < 80; y++) for (let x = 50; x < 80; x++) {
      const excess = Math.max(0, tensor[y * 224 + x]! - 0.46);
      sum += excess; sx += excess * (x + 0.5); sy += excess * (y + 0.5);
    }
    const c = t.toSourcePoint({ x: sx / sum, y: sy / sum });
    // one model pixel is 11 source pixels: an off-by-one or half-pixel error would be 5 px or more
    expect(Math.abs(c.x - 460)).toBeLessThan(2);
    expect(Math.abs(c.y - 650)).toBeLessThan(2);
    expect(tensor[0]).toBe(0); // the letterbox band is padding
  });

  it('stretch fills the model: 512 wide × 256 high into 224² scales x and y apart', () => {
    const values = new Float32Array(256 * 512).fill(1);
    const p = prepareImage({ values, rows: 256, columns: 512, dataset: { WindowCenter: 0.5, WindowWidth: 2 } },
      { ...header, resize: 'stretch' }, size224, new Float32Array(224 * 224));
    const t = new ImageTransform(p);
    expect(t.toSourcePoint({ x: 224, y: 224 })).toEqual({ x: 512, y: 256 });
    expect(t.toSourcePoint({ x: 56, y: 112 })).toEqual({ x: 128, y: 128 });
  });
});

describe('resampling', () => {
  it('shrinking averages exactly each model pixel\'s footprint: an edge on a footprint boundary stays sharp', () => {
    // 8 columns → 4: source columns 2..5 are 1, the rest 0; window 0..1 keeps the values
    const values = new Float32Array(8 * 8);
    for (let j = 0; j < 8; j++) for (let i = 2; i < 6; i++) values[j * 8 + i] = 1;
    const out = new Float32Array(4 * 4);
    prepareImage(
      { values, rows: 8, columns: 8, dataset: { WindowCenter: 0.5, WindowWidth: 1, VOILUTFunction: 'LINEAR_EXACT' } },
      { ...header, resize: 'stretch' }, { channels: 1, rows: 4, columns: 4 }, out);
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 1, 1, 0]);
    // 3 columns → 2 (footprint 1.5): the middle source pixel is split half and half
    const odd = new Float32Array([0, 1, 0]);
    const two = new Float32Array(2);
    prepareImage({ values: odd, rows: 1, columns: 3,
      dataset: { WindowCenter: 0.5, WindowWidth: 1, VOILUTFunction: 'LINEAR_EXACT' } },
      { ...header, resize: 'stretch' }, { channels: 1, rows: 1, columns: 2 }, two);
    expect(Array.from(two)).toEqual([1 / 3, 1 / 3].map((v) => Math.fround(v)));
  });
});

describe('grey values', () => {
  const ds = { WindowCenter: 100, WindowWidth: 200 };
  it('applies the header window by PS3.3 C.11.2.1.2 (LINEAR): (x − 99.5) / 199 + 0.5, clipped to 0..1', () => {
    const v = new Float32Array([-50, 0, 100, 199, 250]);
    expect(applyVoi(v, ds, { source: 'header' }, false)).toBe('window 100/200 (header)');
    const expected = [0, 0, 0.5025126, 1, 1];
    expected.forEach((e, n) => expect(v[n]).toBeCloseTo(e, 5));
  });

  it('a fixed window ignores the header; VOI LUT Sequence wins over the header window; none: the image range', () => {
    const v = new Float32Array([0, 40, 240]);
    expect(applyVoi(v, ds, { source: 'fixed', center: 40, width: 400 }, false)).toBe('window 40/400 (fixed)');
    expect(v[1]).toBeCloseTo(0.50125, 4); // (40 − 39.5) / 399 + 0.5
    const lut = { VOILUTSequence: [{ LUTDescriptor: [4, 10, 8], LUTData: [0, 51, 153, 255] }], ...ds };
    const w = new Float32Array([0, 11, 12, 99]);
    expect(applyVoi(w, lut, { source: 'header' }, false)).toBe('VOI LUT Sequence');
    [0, 0.2, 0.6, 1].forEach((e, n) => expect(w[n]).toBeCloseTo(e, 6)); // 10 and below → entry 0, 13+ → the last
    const r = new Float32Array([10, 15, 30]);
    expect(applyVoi(r, {}, { source: 'header' }, false)).toBe('image range');
    expect(Array.from(r)).toEqual([0, 0.25, 1]);
  });

  it('inverts MONOCHROME1 after the window, and rescales stored values first', () => {
    const v = new Float32Array([0, 199]);
    applyVoi(v, ds, { source: 'header' }, true);
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(0);
    expect(Array.from(modalityValues(new Uint16Array([0, 10]),
      { RescaleSlope: 2, RescaleIntercept: -100 }))).toEqual([-100, -80]);
    const lut = { ModalityLUTSequence: [{ LUTDescriptor: [3, 0, 16], LUTData: [5, 7, 9] }] };
    expect(Array.from(modalityValues(new Uint16Array([0, 1, 2, 9]), lut))).toEqual([5, 7, 9, 9]);
  });

  it('MONOCHROME1 and MONOCHROME2 files of the same pattern give the same tensor', async () => {
    const tensors = await Promise.all((['MONOCHROME1', 'MONOCHROME2'] as const).map(async (photometric) => {
      const r = await writeSyntheticRadiograph(path.join(tmp, `${photometric}.dcm`),
        { photometric, bitsStored: 16, view: 'lateral' });
      const out = new Float32Array(224 * 224);
      const p = prepareImage(await loadImageFrame(r.file), header, size224, out);
      expect(p.inverted).toBe(photometric === 'MONOCHROME1');
      return out;
    }));
    let worst = 0;
    for (let n = 0; n < tensors[0]!.length; n++) worst = Math.max(worst, Math.abs(tensors[0]![n]! - tensors[1]![n]!));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.max(...tensors[0]!)).toBeGreaterThan(0.6); // not an all-black image that would trivially agree
  });
});

describe('channels, spacing and decoding', () => {
  it('replicates grey into 3 channels with per-channel mean/std', () => {
    const values = new Float32Array(4).fill(50);
    const out = new Float32Array(3 * 4);
    prepareImage({ values, rows: 2, columns: 2, dataset: { WindowCenter: 50.5, WindowWidth: 101 } },
      { ...header, resize: 'stretch', mean: [0.1, 0.2, 0.3], std: [0.5, 1, 2] },
      { channels: 3, rows: 2, columns: 2 }, out);
    // window: (50 − 50) / 100 + 0.5 = 0.5
    expect(out[0]).toBeCloseTo((0.5 - 0.1) / 0.5, 5);
    expect(out[4]).toBeCloseTo(0.5 - 0.2, 5);
    expect(out[11]).toBeCloseTo((0.5 - 0.3) / 2, 5);
  });

  it('records Pixel Spacing when present, else Imager Pixel Spacing (over the magnification when given)', () => {
    expect(pixelSpacingOf({ PixelSpacing: [0.14, 0.15], ImagerPixelSpacing: [0.2, 0.2] }))
      .toEqual({ rowMm: 0.14, columnMm: 0.15, source: 'PixelSpacing' });
    expect(pixelSpacingOf({ ImagerPixelSpacing: [0.2, 0.2] })).toEqual(
      { rowMm: 0.2, columnMm: 0.2, source: 'ImagerPixelSpacing' });
    expect(pixelSpacingOf({ ImagerPixelSpacing: '0.2\\0.2', EstimatedRadiographicMagnificationFactor: 1.25 }))
      .toEqual({ rowMm: 0.16, columnMm: 0.16, source: 'ImagerPixelSpacing/EstimatedRadiographicMagnificationFactor' });
    expect(pixelSpacingOf({}).source).toBe('none');
  });

  it('decodes a JPEG-LS radiograph to the same values as the native file', async () => {
    const opts = { bitsStored: 12 as const, objects: [{ x0: 5, y0: 5, x1: 50, y1: 40 }], seed: 11 };
    const native = await loadImageFrame((await writeSyntheticRadiograph(path.join(tmp, 'n.dcm'), opts)).file);
    const ls = await loadImageFrame((await writeSyntheticRadiograph(path.join(tmp, 'ls.dcm'), {
      ...opts, transferSyntaxUid: TransferSyntax.jpegLsLossless })).file);
    expect(Array.from(ls.stored)).toEqual(Array.from(native.stored));
    expect(native.stored[10 * 512 + 10]).toBe(4095);
  });

  it('masks words above BitsStored (overlay bits) and reads files in turn through one reused reader', async () => {
    const opts = { bitsStored: 12 as const, objects: [{ x0: 5, y0: 5, x1: 50, y1: 40 }], seed: 12 };
    const clean = (await writeSyntheticRadiograph(path.join(tmp, 'clean.dcm'), opts)).file;
    const bytes = readFileSync(clean);
    const at = scanPart10Bytes(bytes).pixelData!;
    const words = new Uint16Array(bytes.buffer, bytes.byteOffset + at.valueAt, at.length / 2);
    for (let n = 0; n < words.length; n += 3) words[n] = words[n]! | 0xf000;
    const dirty = path.join(tmp, 'dirty.dcm');
    writeFileSync(dirty, bytes);
    const expected = Array.from((await loadImageFrame(clean)).stored);
    expect(expected.reduce((a, b) => Math.max(a, b), 0)).toBe(4095);
    const reader = new FileReader();
    expect(Array.from((await loadImageFrame(dirty, 1, reader)).stored)).toEqual(expected);
    const other = (await writeSyntheticRadiograph(path.join(tmp, 'other.dcm'), { ...opts, seed: 13 })).file;
    const second = await loadImageFrame(other, 1, reader);
    expect(Array.from(second.stored)).toEqual(Array.from((await loadImageFrame(other)).stored));
    expect(Array.from(second.stored)).not.toEqual(expected);
  });
});
