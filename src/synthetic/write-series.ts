// Writes the phantom as a real CT Image Storage series (one Part 10 file per slice) with geometry variations for tests.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ctSliceDataset, dicomDateTime, newUid, type SeriesIdentity } from './ct-header.js';
import { part10Bytes, prepareEncoder, TransferSyntax, isEncapsulated } from './part10.js';
import { phantomHu, type Phantom, type PhantomOptions } from './phantom.js';

export type SeriesOrientation = 'axial' | 'coronal' | 'sagittal';

export interface SyntheticSeriesOptions extends PhantomOptions {
  /** mm between rows and between columns; default 0.7 */
  pixelSpacing?: number;
  /** mm between slice positions; default 1.0 */
  sliceSpacing?: number;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  patientName?: string;
  patientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  /** file names and InstanceNumbers in a random order unrelated to position */
  shuffle?: boolean;
  /** InstanceNumber 1 at the far end: positions decrease along the slice normal as the phantom's k grows */
  reverse?: boolean;
  orientation?: SeriesOrientation;
  /** gantry tilt: the image plane tilts about the patient x axis while slice origins still step along z (a sheared
   *  stack) */
  tiltDegrees?: number;
  /** phantom slice index that is not written (a gap in the series) */
  missingSlice?: number;
  /** default Explicit VR Little Endian; also implicit LE, explicit BE, RLE, JPEG lossless, JPEG-LS lossless, JPEG 2000
   *  lossless */
  transferSyntaxUid?: string;
  /** ImagePositionPatient of phantom slice 0 (its first voxel); default centres the grid on the origin */
  origin?: [number, number, number];
  /** reuse an already computed phantom (its dims win over slices/rows/columns) */
  phantom?: Phantom;
}

export interface SyntheticSeries {
  files: string[];
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  /** the phantom that was written: ground truth for round-trip tests */
  phantom: Phantom;
}

/** File n holds phantom slice order[n]; geometry follows the options so loaders can be tested against known answers. */
export async function writeSyntheticCtSeries(dir: string, opts: SyntheticSeriesOptions = {}): Promise<SyntheticSeries> {
  const phantom = opts.phantom ?? phantomHu(opts);
  const [columns, rows, slices] = phantom.dims;
  const ts = opts.transferSyntaxUid ?? TransferSyntax.explicitLittle;
  await prepareEncoder(ts);
  await mkdir(dir, { recursive: true });
  const identity = seriesIdentity(opts);
  const pixelSpacing = opts.pixelSpacing ?? 0.7;
  const sliceSpacing = opts.sliceSpacing ?? 1.0;
  const plane = planeGeometry(opts.orientation ?? 'axial', opts.tiltDegrees ?? 0);
  const origin = opts.origin ?? [(-columns * pixelSpacing) / 2, (-rows * pixelSpacing) / 2, 0];
  const written = Array.from({ length: slices }, (_, k) => k).filter((k) => k !== opts.missingSlice);
  const instanceOrder = opts.shuffle ? shuffled(written) : written;
  const files: string[] = [];
  const stored = new Int16Array(columns * rows); // one buffer reused for every slice's pixel data
  for (const [n, k] of instanceOrder.entries()) {
    const along = (opts.reverse ? -k : k) * sliceSpacing;
    const position = origin.map((o, axis) => o + along * plane.step[axis]!);
    const sliceHu = phantom.hu.subarray(k * columns * rows, (k + 1) * columns * rows);
    for (let p = 0; p < stored.length; p++) stored[p] = sliceHu[p]! + 1024;
    const dataset = ctSliceDataset(identity, {
      sopInstanceUid: newUid(),
      instanceNumber: n + 1,
      rows,
      columns,
      pixelSpacing: [pixelSpacing, pixelSpacing],
      sliceThickness: sliceSpacing,
      orientation: plane.orientation,
      position: position.map((x) => Number(x.toFixed(4))),
      gantryTiltDegrees: opts.tiltDegrees ?? 0,
      lossless: isEncapsulated(ts),
    });
    const file = path.join(dir, `slice-${String(n + 1).padStart(4, '0')}.dcm`);
    await writeFile(file, part10Bytes(dataset, ts, stored));
    files.push(file);
  }
  return { files, ...pick(identity), phantom };
}

/** Direction cosines (row direction, column direction) and the direction slice origins step along. */
function planeGeometry(orientation: SeriesOrientation, tiltDegrees: number): { orientation: number[]; step: number[] } {
  if (orientation === 'coronal') return { orientation: [1, 0, 0, 0, 0, -1],
    step: [0, 1, 0] }; // normal = +y (posterior)
  if (orientation === 'sagittal') return { orientation: [0, 1, 0, 0, 0, -1], step: [-1, 0, 0] }; // normal = -x (right)
  const t = (tiltDegrees * Math.PI) / 180;
  const round = (x: number): number => Number(x.toFixed(6)) + 0; // + 0 turns -0 into 0
  // a tilted gantry tilts the image plane, but the table (and so each slice origin) still moves along z
  return { orientation: [1, 0, 0, 0, round(Math.cos(t)), round(-Math.sin(t))], step: [0, 0, 1] };
}

function seriesIdentity(opts: SyntheticSeriesOptions): SeriesIdentity {
  const { date, time } = dicomDateTime(new Date());
  return {
    studyInstanceUid: opts.studyInstanceUid ?? newUid(),
    seriesInstanceUid: opts.seriesInstanceUid ?? newUid(),
    frameOfReferenceUid: opts.frameOfReferenceUid ?? newUid(),
    patientName: opts.patientName ?? 'Phantom^Synthetic',
    patientId: opts.patientId ?? 'SYNTH-0001',
    patientBirthDate: opts.patientBirthDate ?? '19700101',
    patientSex: opts.patientSex ?? 'O',
    studyDate: date,
    studyTime: time,
  };
}

function pick(i: SeriesIdentity):
  Pick<SyntheticSeries, 'studyInstanceUid' | 'seriesInstanceUid' | 'frameOfReferenceUid'> {
  return { studyInstanceUid: i.studyInstanceUid, seriesInstanceUid: i.seriesInstanceUid,
    frameOfReferenceUid: i.frameOfReferenceUid };
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let n = out.length - 1; n > 0; n--) {
    const m = Math.floor(Math.random() * (n + 1));
    [out[n], out[m]] = [out[m]!, out[n]!];
  }
  return out;
}
