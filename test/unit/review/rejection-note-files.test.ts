// Rejection note from the stored SEG/SR files, in a worker: the same note as from the headers, refusals with codes.
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import { encodeMeasurementReport } from '../../../src/encode/sr.js';
import { readPart10 } from '../../../src/encode/dicom-io.js';
import { encodeRejectionNote } from '../../../src/encode/rejection-note.js';
import { encodeRejectionNoteFromFiles } from '../../../src/review/rejection-note-files.js';
import type { MeasurementReportResult, SegmentationResult } from '../../../src/encode/types.js';
import { algorithm, bodyLungLiver, dciodvfy, job, loadSeries, realData,
  tempDir, writeTemp } from '../encode/fixtures.js';

let seg: SegmentationResult;
let sr: MeasurementReportResult;
let files: string[];
let dir: string;
const note = { resultId: 'result-7', retraction: 1, uidRoot: job.uidRoot, reason: 'lung over bowel gas',
  now: new Date('2026-12-01T10:00:00Z') };

beforeAll(() => {
  const series = loadSeries(path.join(realData, 'dcmqi-ct3'));
  const labels = Uint8Array.from(series.hu, (v) => (v > -200 ? 1 : v > -900 && v < -400 ? 2 : 0));
  seg = encodeSegmentation(series.sources, { dims: [series.cols, series.rows, 3], data: labels },
    bodyLungLiver, algorithm, job);
  sr = encodeMeasurementReport(series.sources, seg, bodyLungLiver, algorithm, job, series.hu);
  dir = tempDir('kos-files');
  files = [writeTemp(dir, 'seg.dcm', seg.bytes), writeTemp(dir, 'sr.dcm', sr.bytes)];
});

describe('encodeRejectionNoteFromFiles', () => {
  it('gives the note the headers give, byte for byte, and dciodvfy finds no error in it', async () => {
    const fromFiles = await encodeRejectionNoteFromFiles({ ...note, rejectedFiles: files });
    const fromHeaders = encodeRejectionNote(
      { ...note, rejected: [readPart10(seg.bytes).dataset, readPart10(sr.bytes).dataset] });
    expect(fromFiles.rejected.map((r) => r.sopInstanceUid)).toEqual([seg.sopInstanceUid, sr.sopInstanceUid]);
    expect(Buffer.from(fromFiles.bytes).equals(Buffer.from(fromHeaders.bytes))).toBe(true);
    expect(dciodvfy(writeTemp(dir, 'kos.dcm', fromFiles.bytes)).errors).toEqual([]);
  }, 30_000);

  it('refuses a missing file and a non-DICOM file with REJECTION_NOTE_READ, a bad reason with its encoder code',
    async () => {
      const junk = writeTemp(dir, 'junk.dcm', new TextEncoder().encode('not dicom at all'));
      await expect(encodeRejectionNoteFromFiles({ ...note, rejectedFiles: [files[0], path.join(dir, 'gone.dcm')] }))
        .rejects.toMatchObject({ code: 'REJECTION_NOTE_READ' });
      await expect(encodeRejectionNoteFromFiles({ ...note, rejectedFiles: [junk] }))
        .rejects.toMatchObject({ code: 'REJECTION_NOTE_READ' });
      await expect(encodeRejectionNoteFromFiles({ ...note, rejectedFiles: files, safety: true,
        qualityReason: { scheme: 'DCM', value: '111218', meaning: 'Software failure' } }))
        .rejects.toMatchObject({ code: 'ENC_REJECTION_REASON' });
    }, 30_000);
});
