// Review previews of a phantom with known geometry: the slices chosen, the window, the colours at known pixels
// (decoded from the PNG with pngjs), the coronal height from the spacing and its head-up orientation.
import { beforeAll, describe, expect, it } from 'vitest';
import { busiestSlice, renderPreviews, type PreviewInput, type PreviewSegment } from '../../../src/review/preview.js';
import { FILL_ALPHA, paint } from '../../../src/review/raster.js';
import { dicomLabToRgb } from '../../../src/review/colour.js';
import { rgbToDicomLab } from '../../../src/encode/colour.js';
import { buildPhantom, COLS, decode, HU, inSphere, LESION, LUNG_RIGHT,
  ROWS, savePreview, SLICES, SPACING, type Phantom } from './phantom.js';

const BLUE: [number, number, number] = [0, 0, 255];
const GREEN: [number, number, number] = [0, 255, 0];
const RED: [number, number, number] = [255, 0, 0];
/** disjoint segments, pure colours: a tint is then visible channel by channel */
const disjoint: PreviewSegment[] = [
  { label: 'Body', labelValues: [1], colorRgb: BLUE },
  { label: 'Lung', labelValues: [2], colorRgb: GREEN },
  { label: 'Lesion', labelValues: [3], colorRgb: RED },
];

let phantom: Phantom;
const input = (overrides: Partial<PreviewInput> = {}): PreviewInput => ({
  volume: phantom.hu, dims: [COLS, ROWS, SLICES], spacing: SPACING, labels: phantom.labels,
  segments: disjoint, ...overrides,
});
/** expected grey level of a HU value in a window, from the linear ramp's definition */
const grey = (hu: number, center: number, width: number) =>
  Math.min(255, Math.max(0, ((hu - (center - width / 2)) / width) * 255));

/** voxels of a label value per slice, counted here without the module's code */
function perSlice(value: number): number[] {
  const out = new Array(SLICES).fill(0);
  phantom.labels.forEach((l, p) => { if (l === value) out[Math.floor(p / (COLS * ROWS))]++; });
  return out;
}

beforeAll(() => { phantom = buildPhantom(); });

describe('renderPreviews on the phantom', () => {
  it('shows each segment on the slice with most of its voxels, then one coronal image', () => {
    const previews = renderPreviews(input());
    previews.forEach((p) => savePreview(`phantom-${p.name}`, p.png));
    expect(previews.map((p) => p.name)).toEqual(['axial-1', 'axial-2', 'axial-3', 'coronal']);
    // geometry: both lungs are centred on slice 9, the lesion on slice 15; the body tissue alone is largest
    // where no sphere takes any of it: the first such slice is 0
    expect(previews[1].index).toBe(LUNG_RIGHT.k);
    expect(previews[2].index).toBe(LESION.k);
    expect(previews[0].index).toBe(0);
    // and the same from counting the label map here
    for (const [n, value] of [[0, 1], [1, 2], [2, 3]]) {
      const counts = perSlice(value);
      expect(previews[n].index).toBe(counts.indexOf(Math.max(...counts)));
    }
    expect(previews[1].title).toContain(`${perSlice(2)[LUNG_RIGHT.k]} voxels`);
  });

  it('tints a segment pixel with its colour, outlines its boundary in full colour, and leaves air dark (lung window)',
    () => {
      const lung = decode(renderPreviews(input())[1].png);
      expect([lung.width, lung.height]).toEqual([COLS, ROWS]);
      const g = grey(HU.lung, -600, 1500);
      const [r, gr, b] = lung.rgb(LUNG_RIGHT.i, LUNG_RIGHT.j);   // centre of the right lung: inside, not boundary
      expect(r).toBeCloseTo(g * (1 - FILL_ALPHA), -0.5);
      expect(b).toBe(r);
      expect(gr).toBeCloseTo(g * (1 - FILL_ALPHA) + 255 * FILL_ALPHA, -0.5);
      let edge = 0;
      while (!inSphere(LUNG_RIGHT, edge, LUNG_RIGHT.j, LUNG_RIGHT.k)) edge++;   // first lung voxel of its centre row
      expect(lung.rgb(edge, LUNG_RIGHT.j)).toEqual(GREEN);
      const air = lung.rgb(0, 0);
      expect(air[0]).toBeCloseTo(grey(HU.air, -600, 1500), -0.5);
      expect(air[0]).toBeLessThan(64);
      expect(air).toEqual([air[0], air[0], air[0]]);
    });

  it('uses the lung window when a lung-like segment has voxels, else soft tissue (air black, tissue mid-grey)', () => {
    expect(renderPreviews(input())[0].title).toContain('W 1500 L -600');
    const soft = renderPreviews(input({ segments: [disjoint[0], disjoint[2]] }));
    expect(soft[0].title).toContain('W 400 L 40');
    const body = decode(soft[0].png);
    expect(body.rgb(0, 0)).toEqual([0, 0, 0]);
    const inside = body.rgb(Math.round(COLS / 2), 10);   // body tissue on slice 0 (not its boundary), blue-tinted
    expect(inside[0]).toBeCloseTo(grey(HU.tissue, 40, 400) * (1 - FILL_ALPHA), -0.5);
    expect(inside[2]).toBeGreaterThan(inside[0] + 60);
    const lungAbsent = renderPreviews(input(
      { segments: [{ label: 'Lung', labelValues: [9], colorRgb: GREEN }, disjoint[2]] }));
    expect(lungAbsent[0].title).toContain('W 400 L 40');   // a lung segment without voxels does not decide
    expect(renderPreviews(input({ window: { center: 0, width: 100 } }))[0].title).toContain('W 100 L 0');
  });

  it('leaves out the axial image of an absent segment, keeps the others\' names, shows the middle slice if all are absent', () => {
    const previews = renderPreviews(input(
      { segments: [disjoint[0], { label: 'Liver', labelValues: [7], colorRgb: RED }, disjoint[2]] }));
    expect(previews.map((p) => p.name)).toEqual(['axial-1', 'axial-3', 'coronal']);
    const none = renderPreviews(input({ segments: [{ label: 'Liver', labelValues: [7], colorRgb: RED }] }));
    expect(none.map((p) => [p.name, p.index])).toEqual([['axial-middle', SLICES / 2], ['coronal', ROWS / 2]]);
    expect(none[0].title).toContain('no segment voxels');
  });

  it('tints overlapping segments with both colours', () => {
    const overlapping: PreviewSegment[] = [{ label: 'Body', labelValues: [1, 2, 3], colorRgb: BLUE },
      { label: 'Lung', labelValues: [2], colorRgb: GREEN }];
    const both = decode(renderPreviews(input({ segments: overlapping }))[1].png).rgb(LUNG_RIGHT.i, LUNG_RIGHT.j);
    const lungOnly = decode(renderPreviews(input())[1].png).rgb(LUNG_RIGHT.i, LUNG_RIGHT.j);
    expect(both[2]).toBeGreaterThan(lungOnly[2] + 30);   // the body's blue under the lung's green
    expect(both[1]).toBeGreaterThan(both[0] + 30);
  });
});

describe('the coronal reformat', () => {
  it('cuts through the segments\' mean row, is slices × slice spacing / pixel spacing high, head at the top', () => {
    const coronal = renderPreviews(input()).at(-1)!;
    let sum = 0;
    let n = 0;
    phantom.labels.forEach((l, p) => { if (l > 0) { sum += Math.floor(p / COLS) % ROWS; n++; } });
    expect(coronal.index).toBe(Math.round(sum / n));
    const image = decode(coronal.png);
    expect([image.width, image.height]).toEqual([COLS, (SLICES * SPACING[2]) / SPACING[0]]);
    savePreview('phantom-coronal-check', coronal.png);
    // only the lesion: the cut goes through its row, and its slice 15 of 0..19 (k up = head) is in the upper half
    const lesionOnly = renderPreviews(input({ segments: [disjoint[2]] })).at(-1)!;
    expect(lesionOnly.index).toBe(LESION.j);
    const cut = decode(lesionOnly.png);
    const y = Math.floor(((SLICES - 1 - LESION.k + 0.5) * cut.height) / SLICES);
    const red = cut.rgb(LESION.i, y);
    expect(red[0]).toBeGreaterThan(red[1] + 60);
    const mirrored = cut.rgb(LESION.i, cut.height - 1 - y);
    expect(mirrored[0]).toBe(mirrored[1]);
    // an affine whose slice axis points to the feet turns the image over
    const feetUp = decode(renderPreviews(input(
      { segments: [disjoint[2]], affine: [0.8, 0, 0, 0, 0, 0.8, 0, 0, 0, 0, -2, 0, 0, 0, 0, 1] })).at(-1)!.png);
    for (const yy of [0, y, cut.height - 1])
      expect(feetUp.rgb(LESION.i, cut.height - 1 - yy)).toEqual(cut.rgb(LESION.i, yy));
  });
});

describe('inputs', () => {
  it('renders stored values with a rescale exactly like HU', () => {
    const stored = Int16Array.from(phantom.hu, (v) => v + 1024);
    const a = renderPreviews(input());
    const b = renderPreviews(input({ volume: stored, rescale: { slope: 1, intercept: -1024 } }));
    expect(b.map((p) => Buffer.from(p.png).toString('hex'))).toEqual(a.map((p) => Buffer.from(p.png).toString('hex')));
  });

  it('keeps the aspect ratio of non-square pixels', () => {
    const axial = decode(renderPreviews(input({ spacing: [0.5, 1, 2] }))[0].png);
    expect([axial.width, axial.height]).toEqual([COLS, ROWS * 2]);
  });

  it('refuses inputs that do not fit together with PREVIEW_INPUT', () => {
    for (const bad of [
      { labels: new Uint8Array(10) }, { dims: [COLS, ROWS, 0] as [number, number, number] },
      { spacing: [0.8, 0, 2] as [number, number, number] },
      { segments: [{ label: 'x', labelValues: [0], colorRgb: RED }] },
      { segments: [{ label: 'x', labelValues: [1], colorRgb: [300, 0, 0] as [number, number, number] }] },
      { window: { center: 0, width: 0 } },
    ]) {
      expect(() => renderPreviews(input(bad)), JSON.stringify(Object.keys(bad))).toThrow(
        expect.objectContaining({ code: 'PREVIEW_INPUT' }));
    }
  });

  it('draws a 2 px outline on a 512 px image, 1 px on a small one', () => {
    const plane = (size: number) => {
      const members = new Uint32Array(size * size);
      for (let y = 10; y < size - 10; y++) for (let x = 10; x < size - 10; x++) members[y * size + x] = 1;
      return { width: size, height: size, grey: new Uint8Array(size * size).fill(100), members };
    };
    const at = (rgba: Uint8Array, size: number, x: number) =>
      Array.from(rgba.subarray(4 * (30 * size + x), 4 * (30 * size + x) + 3));
    const tint = Math.round(100 * (1 - FILL_ALPHA));
    const big = paint(plane(512), [RED]);
    expect([at(big, 512, 9), at(big, 512, 10), at(big, 512, 11), at(big, 512, 12)]).toEqual(
      [[100, 100, 100], RED, RED, [tint + 89, tint, tint]]);
    const small = paint(plane(64), [RED]);
    expect([at(small, 64, 10), at(small, 64, 11)]).toEqual([RED, [tint + 89, tint, tint]]);
  });

  it('picks the lowest of tied slices, and none for an empty segment', () => {
    expect(busiestSlice([0, 3, 5, 5, 1])).toBe(2);
    expect(busiestSlice([0, 0])).toBe(-1);
  });

  it('turns DICOM CIELab back into the sRGB it was made from', () => {
    for (const rgb of [[230, 190, 140], [90, 160, 230], [0, 0, 0], [255, 255, 255], [255, 0, 0],
        [128, 174, 128]] as Array<[number, number, number]>) {
      const back = dicomLabToRgb(rgbToDicomLab(rgb));
      back.forEach((c, i) => expect(Math.abs(c - rgb[i]), `${rgb} → ${back}`).toBeLessThanOrEqual(1));
    }
  });
});
