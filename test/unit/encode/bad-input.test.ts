// Bad input to the encoders ends in an EncodeError with a stable code, never a crash or a half-built object.
import { describe, expect, it } from 'vitest';
import { encodeSegmentation, nothingSegmented } from '../../../src/encode/seg.js';
import { encodeMeasurementReport } from '../../../src/encode/sr.js';
import type { EncodeError } from '../../../src/encode/errors.js';
import type { LabelVolume, SegmentDescription } from '../../../src/encode/types.js';
import { algorithm, bodyLungLiver, dciodvfy, job, run, syntheticSeries, tempDir, writeTemp } from './fixtures.js';

const g = { cols: 4, rows: 3, slices: 2, iop: [1, 0, 0, 0, 1, 0], origin: [0, 0, 0], step: [0, 0, 2],
  spacing: [1, 1] as [number, number] };
const sources = syntheticSeries('bad-input', g);
const labels: LabelVolume = { dims: [4, 3, 2], data: new Uint8Array(24).fill(1) };

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { return (e as EncodeError).code ?? `untyped: ${String(e)}`; }
  return 'no error';
}

describe('encodeSegmentation rejects', () => {
  it('missing sources, mismatched label volumes, bad UID roots', () => {
    expect(code(() => encodeSegmentation([], labels, bodyLungLiver, algorithm, job))).toBe('ENC_NO_SOURCES');
    expect(code(() => encodeSegmentation(sources, { dims: [4, 3, 3], data: new Uint8Array(36) }, bodyLungLiver,
      algorithm, job))).toBe('ENC_LABEL_DIMS');
    expect(code(() => encodeSegmentation(sources, { dims: [4, 3, 2], data: new Uint8Array(5) }, bodyLungLiver,
      algorithm, job))).toBe('ENC_LABEL_DIMS');
    expect(code(() =>
      encodeSegmentation(sources, labels, bodyLungLiver, algorithm, { ...job, uidRoot: '1.02' }))).toBe('ENC_UID_ROOT');
  });

  it('source headers without geometry or from different series / frames of reference', () => {
    const noPosition = sources.map((s) => ({ ...s, dataset: { ...s.dataset, ImagePositionPatient: undefined } }));
    expect(code(() => encodeSegmentation(noPosition, labels, bodyLungLiver, algorithm, job))).toBe('ENC_SOURCE_HEADER');
    const mixed = [sources[0], { ...sources[1], dataset: { ...sources[1].dataset, FrameOfReferenceUID: '2.25.9' } }];
    expect(code(() => encodeSegmentation(mixed, labels, bodyLungLiver, algorithm, job))).toBe('ENC_SOURCES_MIXED');
    const samePlace = sources.map((s) => ({ ...s, dataset: { ...s.dataset, ImagePositionPatient: [0, 0, 0] } }));
    expect(code(() => encodeSegmentation(samePlace, labels, bodyLungLiver, algorithm, job))).toBe('ENC_SOURCE_HEADER');
  });

  it('segment descriptions a SEG cannot carry', () => {
    const bad = (patch: Partial<SegmentDescription>) => [{ ...bodyLungLiver[0], ...patch }];
    expect(code(() => encodeSegmentation(sources, labels, [], algorithm, job))).toBe('ENC_SEGMENTS');
    expect(code(() =>
      encodeSegmentation(sources, labels, bad({ labelValues: [0] }), algorithm, job))).toBe('ENC_SEGMENTS');
    expect(code(() =>
      encodeSegmentation(sources, labels, bad({ labelValues: [256] }), algorithm, job))).toBe('ENC_SEGMENTS');
    expect(code(() => encodeSegmentation(sources, labels, bad({ type: { scheme: 'SCT', value: '', meaning: 'x' } }),
      algorithm, job))).toBe('ENC_SEGMENTS');
    expect(code(() =>
      encodeSegmentation(sources, labels, bad({ colorRgb: [0, 0, 300] }), algorithm, job))).toBe('ENC_SEGMENTS');
    expect(code(() =>
      encodeSegmentation(sources, labels, [bodyLungLiver[0], bodyLungLiver[0]], algorithm, job))).toBe('ENC_SEGMENTS');
  });

  it('a label volume with no segment in it, and the SR then reports every segment absent', () => {
    const empty = { dims: [4, 3, 2] as [number, number, number], data: new Uint8Array(24) };
    expect(code(() => encodeSegmentation(sources, empty, bodyLungLiver, algorithm, job))).toBe('ENC_NOTHING_SEGMENTED');
    const sr = encodeMeasurementReport(sources, nothingSegmented(bodyLungLiver), bodyLungLiver, algorithm, job);
    const file = writeTemp(tempDir('all-absent'), 'sr.dcm', sr.bytes);
    expect(dciodvfy(file).errors).toEqual([]);
    const { out } = run('dsrdump', ['+Pc', file]);
    expect(out).not.toContain('Measurement Group');
    for (const type of ['Body structure', 'Lung', 'Liver']) expect(out).toContain(`"${type}")=(2667000,SCT,"Absent")`);
  });
});

describe('encodeMeasurementReport rejects', () => {
  it('intensities off the label grid, and segments the SEG result does not know', () => {
    const seg = encodeSegmentation(sources, labels, bodyLungLiver, algorithm, job);
    expect(code(() => encodeMeasurementReport(sources, seg, bodyLungLiver, algorithm, job,
      new Float32Array(5)))).toBe('ENC_INTENSITIES');
    const extra = [...bodyLungLiver, { ...bodyLungLiver[2], label: 'Spleen' }];
    expect(code(() => encodeMeasurementReport(sources, seg, extra, algorithm, job))).toBe('ENC_SEGMENTS');
  });

  it('computes the same statistics from the SEG bytes when the result no longer holds the label volume', () => {
    const data = Uint8Array.from({ length: 24 }, (_, v) => (v % 3 === 0 ? 2 : 1));
    const hu = Float32Array.from({ length: 24 }, (_, v) => v * 10 - 100);
    const seg = encodeSegmentation(sources, { dims: [4, 3, 2], data }, bodyLungLiver, algorithm, job);
    const withLabels = encodeMeasurementReport(sources, seg, bodyLungLiver, algorithm, job, hu);
    const fromBytes = encodeMeasurementReport(sources, { ...seg, labels: undefined }, bodyLungLiver, algorithm,
      job, hu);
    const dump = (bytes: Uint8Array) =>
      run('dsrdump', ['+Pc', writeTemp(tempDir('stats'), 'sr.dcm', bytes)]).out.replace(/Content Date\/Time.*\n/, '');
    const lungMean = [0, 3, 6, 9, 12, 15, 18, 21].reduce((a, v) => a + (v * 10 - 100), 0) / 8;
    expect(dump(withLabels.bytes)).toContain(`="${lungMean}" ([hnsf'U]`);
    expect(dump(fromBytes.bytes)).toEqual(dump(withLabels.bytes));
  });
});
