// RTSTRUCT closed planar contours onto a synthetic CT's grid: a box drawn along pixel edges gives exactly the box a
// SEG of that shape holds (and so the same IBSI features), a contour inside another is a hole, and a contour
// between slice planes is refused (MEASURE_CONTOUR_OFF_PLANE).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePart10 } from '../../../src/encode/dicom-io.js';
import { readSegmentation } from '../../../src/encode/seg-reader.js';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import { cropAround } from '../../../src/features/crop.js';
import { CT_FEATURE_DEFAULTS, measureRoi } from '../../../src/features/index.js';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import type { LoadedSeries } from '../../../src/infer/volume/index.js';
import { placeRoi, readRtStruct } from '../../../src/jobs/rtstruct-contours.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';

const [COLS, ROWS, SLICES, PX, DZ] = [32, 32, 8, 0.8, 1.5];
let loaded: LoadedSeries;

/** A square (pixel columns i0..i1, rows j0..j1 inclusive) traced along the pixel edges on slice k, in patient mm. */
function square(k: number, i0: number, i1: number, j0: number, j1: number, dz = 0): number[] {
  const z = k * DZ + dz;
  const at = (i: number, j: number) => [i * PX, j * PX, z];
  return [...at(i0 - 0.5, j0 - 0.5), ...at(i1 + 0.5, j0 - 0.5), ...at(i1 + 0.5, j1 + 0.5), ...at(i0 - 0.5, j1 + 0.5)];
}

function rtstruct(contours: number[][]): Uint8Array {
  return writePart10({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.481.3', SOPInstanceUID: '2.25.42', Modality: 'RTSTRUCT',
    StructureSetROISequence: [{ ROINumber: 1, ROIName: 'Box' }],
    ReferencedFrameOfReferenceSequence: [{ RTReferencedStudySequence: [{ RTReferencedSeriesSequence: [{
      SeriesInstanceUID: loaded.seriesInstanceUid, ContourImageSequence: loaded.slices.map((s) =>
        ({ ReferencedSOPInstanceUID: s.sopInstanceUid })),
    }] }] }],
    ROIContourSequence: [{ ReferencedROINumber: 1, ContourSequence: contours.map((c) => ({
      ContourGeometricType: 'CLOSED_PLANAR', NumberOfContourPoints: c.length / 3, ContourData: c,
    })) }],
  });
}

function boxMask(i0: number, i1: number, j0: number, j1: number, k0: number, k1: number): Uint8Array {
  const m = new Uint8Array(COLS * ROWS * SLICES);
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++)
    m[i + COLS * (j + ROWS * k)] = 1;
  return m;
}

beforeAll(async () => {
  const hu = Int16Array.from({ length: COLS * ROWS * SLICES }, (_, v) => ((v * 7919) % 300) - 100);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtstruct-ct-'));
  const written = await writeSyntheticCtSeries(dir, {
    phantom: { hu, bodyMask: new Uint8Array(hu.length), lungMask: new Uint8Array(hu.length),
      dims: [COLS, ROWS, SLICES] },
    pixelSpacing: PX, sliceSpacing: DZ, origin: [0, 0, 0],
  });
  loaded = await loadSeriesVolume(written.files, { minSlices: 1 });
});

describe('RTSTRUCT contours on the series grid', () => {
  it('rasterises a box drawn along pixel edges to exactly the SEG of that box, with the same features', () => {
    const contours = [2, 3, 4, 5].map((k) => square(k, 8, 20, 10, 18));
    const content = readRtStruct(rtstruct(contours));
    expect(content.sourceSeriesUid).toBe(loaded.seriesInstanceUid);
    expect(content.referencedImages.size).toBe(SLICES);
    const fromContours = placeRoi(content.rois[0]!, loaded.slices).mask;
    const box = boxMask(8, 20, 10, 18, 2, 5);
    expect(fromContours).toEqual(box);
    const seg = encodeSegmentation(loaded.slices, { dims: loaded.volume.dims, data: box },
      [{ labelValues: [1], label: 'Box', colorRgb: [1, 2, 3], measurements: ['volume'],
        category: { scheme: 'SCT', value: '91723000', meaning: 'Anatomical structure' },
        type: { scheme: 'SCT', value: '10200004', meaning: 'Liver' } }],
      { name: 'box', version: '1', modelId: 'box',
        family: { scheme: 'DCM', value: '113076', meaning: 'Segmentation' } },
      { jobId: 'j', uidRoot: '2.25' });
    const fromSeg = readSegmentation(seg.bytes, loaded.slices).masks.get(1)!;
    const features = (mask: Uint8Array) => measureRoi(
      cropAround(loaded.volume.data, mask, [1], [SLICES, ROWS, COLS], [DZ, PX, PX]),
      { ...CT_FEATURE_DEFAULTS, families: ['morphology', 'intensity statistics'] });
    expect(features(fromContours)).toEqual(features(fromSeg));
  });

  it('makes a contour inside another on the same slice a hole', () => {
    const mask = placeRoi(readRtStruct(rtstruct([square(3, 4, 24, 4, 24), square(3, 10, 14, 10, 14)])).rois[0]!,
      loaded.slices).mask;
    const expected = boxMask(4, 24, 4, 24, 3, 3);
    const hole = boxMask(10, 14, 10, 14, 3, 3);
    expect(mask).toEqual(expected.map((v, i) => v ^ hole[i]!));
  });

  it('refuses a contour between two slice planes with MEASURE_CONTOUR_OFF_PLANE', () => {
    const content = readRtStruct(rtstruct([square(3, 8, 20, 10, 18, DZ / 2)]));
    expect(() => placeRoi(content.rois[0]!, loaded.slices).mask).toThrow(/^MEASURE_CONTOUR_OFF_PLANE: .*"Box"/);
  });
});
