// SEG + SR on synthetic series with odd geometry: reversed slice order, sagittal planes, and a 5×7 frame whose
// 35 bits do not fill whole bytes. Sources are written to files too, for dcentvfy.
import { describe, expect, it } from 'vitest';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import { encodeMeasurementReport } from '../../../src/encode/sr.js';
import { readSegmentation } from '../../../src/encode/seg-reader.js';
import type { SegmentDescription } from '../../../src/encode/types.js';
import {
  algorithm, bodyLungLiver, dciodvfy, job, pydicomFrameCounts, run, syntheticSeries, tempDir, writeSources, writeTemp,
  type SyntheticGeometry,
} from './fixtures.js';

const ACCEPTED_WARNINGS = [/\(0x0018,0x1002\) UI Device UID/, /Standard Extended SOP Class/];
const leftLung: SegmentDescription[] = [
  bodyLungLiver[0],
  { ...bodyLungLiver[1], typeModifier: { scheme: 'SCT', value: '7771000', meaning: 'Left' } },
  bodyLungLiver[2],
];

const geometries: Array<[string, SyntheticGeometry, boolean]> = [
  ['reversed axial', { cols: 16, rows: 12, slices: 6, iop: [1, 0, 0, 0, 1, 0],
    origin: [-20, -15, 50], step: [0, 0, -2.5], spacing: [0.7, 0.7] }, true],
  ['sagittal', { cols: 20, rows: 16, slices: 5, iop: [0, 1, 0, 0, 0, -1],
    origin: [-30, -40, 60], step: [3, 0, 0], spacing: [0.9, 1.1] }, true],
  ['5x7 frames, empty frames kept', { cols: 5, rows: 7, slices: 4, iop: [1, 0, 0, 0, 1, 0],
    origin: [0, 0, 0], step: [0, 0, 1.5], spacing: [1, 1] }, false],
];

/** Slice k gets a box of label 1 whose size grows with k, with label 2 inside it on odd slices; slice 0 stays empty. */
function boxLabels(g: SyntheticGeometry): Uint8Array {
  const data = new Uint8Array(g.cols * g.rows * g.slices);
  for (let k = 1; k < g.slices; k++) {
    for (let j = 0; j < Math.min(g.rows, k + 2); j++) {
      for (let i = 0; i < Math.min(g.cols, k + 1); i++)
        data[i + g.cols * (j + g.rows * k)] = k % 2 === 1 && i === 0 ? 2 : 1;
    }
  }
  return data;
}

describe.each(geometries)('%s', (name, g, omitEmptyFrames) => {
  const sources = syntheticSeries(name, g);
  const data = boxLabels(g);
  const plane = g.cols * g.rows;
  const intensities = Float32Array.from(data, (_, v) => (v % 97) - 40);
  const seg = encodeSegmentation(sources, { dims: [g.cols, g.rows, g.slices], data }, leftLung, algorithm,
    { ...job, omitEmptyFrames });
  const sr = encodeMeasurementReport(sources, seg, leftLung, algorithm, job, intensities);
  const dir = tempDir(name.replace(/\W+/g, '-'));
  const segFile = writeTemp(dir, 'seg.dcm', seg.bytes);
  const srFile = writeTemp(dir, 'sr.dcm', sr.bytes);
  const mask = (values: number[]) => data.map((l) => (values.includes(l) ? 1 : 0));

  it('passes dciodvfy (SEG and SR) with no errors', () => {
    for (const file of [segFile, srFile]) {
      const { errors, warnings } = dciodvfy(file);
      expect(errors).toEqual([]);
      expect(warnings.filter((w) => !ACCEPTED_WARNINGS.some((a) => a.test(w)))).toEqual([]);
    }
  });

  it('is consistent with its sources for dcentvfy', () => {
    const files = writeSources(sources, dir);
    expect(run('dcentvfy', [...files, segFile, srFile]).out.split('\n').filter((l) => /^Error/.test(l))).toEqual([]);
    // control: the same check flags a source whose patient differs from the SEG's
    const otherDir = tempDir('other-patient');
    const other = writeSources(sources.map((s) => ({ ...s, dataset: { ...s.dataset, PatientID: 'OTHER' } })), otherDir);
    expect(run('dcentvfy', [...other, segFile]).out).toMatch(/^Error - Different PatientID/m);
  });

  it('has, per pydicom, one frame per non-empty (or every) slice at that slice\'s exact position and source', () => {
    const frames = pydicomFrameCounts(segFile);
    const expected: typeof frames = [];
    [[1, 2], [2]].forEach((values, s) => {
      const m = mask(values);
      for (let k = 0; k < g.slices; k++) {
        let count = 0;
        for (let p = 0; p < plane; p++) count += m[k * plane + p];
        if (count > 0 || !omitEmptyFrames) {
          expected.push({ segment: s + 1, sop: sources[k].sopInstanceUid,
            position: sources[k].dataset.ImagePositionPatient as number[], count });
        }
      }
    });
    expect(frames).toEqual(expected);
  });

  it('reads back to the input masks, on the grid and per frame', () => {
    const onGrid = readSegmentation(seg.bytes, sources);
    expect(Buffer.from(onGrid.masks.get(1)!).equals(Buffer.from(mask([1, 2])))).toBe(true);
    expect(Buffer.from(onGrid.masks.get(2)!).equals(Buffer.from(mask([2])))).toBe(true);
    const perFrame = readSegmentation(seg.bytes);
    const lungFrames = perFrame.masks.get(2)!;
    const lungSlices =
      omitEmptyFrames ? [...Array(g.slices).keys()].filter((k) => k % 2 === 1) : [...Array(g.slices).keys()];
    expect(lungFrames.map((f) => f.imagePositionPatient)).toEqual(
      lungSlices.map((k) => sources[k].dataset.ImagePositionPatient));
  });

  it('writes the geometry of the sources: orientation, spacing between slices, slice order', () => {
    const { out } = run('dcmdump',
      ['+P', '0020,0037', '+P', '0018,0088', '+P', '0028,0030', '+P', '0062,0013', segFile]);
    expect(out).toContain(`DS [${g.iop.join('\\')}]`);
    expect(out).toMatch(new RegExp(`\\(0018,0088\\) DS \\[${Math.hypot(...g.step)}\\]`));
    expect(out).toContain(`DS [${g.spacing.join('\\')}]`);
    expect(out).toMatch(/\(0062,0013\) CS \[YES\]/);
  });

  it('reports laterality with the finding site and the absent segment in the SR', () => {
    const { out } = run('dsrdump', ['+Pc', srFile]);
    expect(out).toContain('(363698007,SCT,"Finding Site")=(39607008,SCT,"Lung")');
    expect(out).toContain('(272741003,SCT,"Laterality")=(7771000,SCT,"Left")');
    expect(out).toContain('(10200004,SCT,"Liver")=(2667000,SCT,"Absent")');
  });
});

it('gives the same UIDs when the same job is encoded again, other UIDs for another job', () => {
  const g = geometries[0][1];
  const sources = syntheticSeries('uid-check', g);
  const labels = { dims: [g.cols, g.rows, g.slices] as [number, number, number], data: boxLabels(g) };
  const first = encodeSegmentation(sources, labels, bodyLungLiver, algorithm, job);
  const again = encodeSegmentation(sources, labels, bodyLungLiver, algorithm, job);
  const other = encodeSegmentation(sources, labels, bodyLungLiver, algorithm, { ...job, jobId: 'job-0002' });
  expect([again.sopInstanceUid, again.seriesInstanceUid]).toEqual([first.sopInstanceUid, first.seriesInstanceUid]);
  expect(other.sopInstanceUid).not.toBe(first.sopInstanceUid);
  expect(other.seriesInstanceUid).not.toBe(first.seriesInstanceUid);
  const srFirst = encodeMeasurementReport(sources, first, bodyLungLiver, algorithm, job);
  const srAgain = encodeMeasurementReport(sources, again, bodyLungLiver, algorithm, job);
  expect(srAgain.sopInstanceUid).toBe(srFirst.sopInstanceUid);
  expect(srFirst.sopInstanceUid).not.toBe(first.sopInstanceUid);
});
