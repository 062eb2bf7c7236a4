// Shared test helpers: where the real test data lives, temporary folders, and tiny hand-made images.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dcmjs } from '../../../src/infer/volume/dcm.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const realData = path.resolve(repoRoot, '../shared/testdata/real');
/** the pydicom test corpus from the Debian package python3-pydicom (installed by scripts/install-peers.sh) */
export const pydicomCorpus = '/usr/lib/python3/dist-packages/pydicom/data/test_files';

export function tempDir(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `volume-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TinyImage {
  bitsAllocated: 8 | 16;
  bitsStored: number;
  signed: boolean;
  /** raw stored words exactly as they go into PixelData (high bits included) */
  words: number[];
  rows: number;
  columns: number;
  slope?: number;
  intercept?: number;
  z: number;
  seriesUid?: string;
}

/** A minimal CT-like single-frame image written by dcmjs itself, for bit-level pixel tests. */
export function writeTinyImage(file: string, img: TinyImage): void {
  const pixels = img.bitsAllocated === 8 ? Uint8Array.from(img.words) : Uint16Array.from(img.words);
  const dataset: Record<string, unknown> = {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: `2.25.${Math.round(img.z * 1000) + 1000}${img.bitsStored}`,
    StudyInstanceUID: '2.25.1',
    SeriesInstanceUID: img.seriesUid ?? '2.25.2',
    FrameOfReferenceUID: '2.25.3',
    Modality: 'CT',
    ImagePositionPatient: [0, 0, img.z],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    PixelSpacing: [0.5, 0.5],
    Rows: img.rows,
    Columns: img.columns,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: img.bitsAllocated,
    BitsStored: img.bitsStored,
    HighBit: img.bitsStored - 1,
    PixelRepresentation: img.signed ? 1 : 0,
    ...(img.slope !== undefined ? { RescaleSlope: img.slope, RescaleIntercept: img.intercept ?? 0 } : {}),
    PixelData: pixels.buffer,
  };
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.4',
  });
  const dict = new dcmjs.data.DicomDict(meta);
  const raw = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  raw['7FE00010']!.vr = img.bitsAllocated === 8 ? 'OB' : 'OW';
  dict.dict = raw;
  writeFileSync(file, Buffer.from(dict.write()));
}

/** Patient position of voxel (i, j, k) under a row-major 4x4 affine. */
export function voxelToPatient(affine: number[], i: number, j: number, k: number): number[] {
  return [0, 1, 2].map((r) =>
    affine[4 * r]! * i + affine[4 * r + 1]! * j + affine[4 * r + 2]! * k + affine[4 * r + 3]!);
}

/**
 * A copy of a native explicit-VR-LE file with its PixelData replaced by one encapsulated frame (`codestream`)
 * under transfer syntax `ts`: for syntaxes no installed tool writes into DICOM (HTJ2K).
 */
export function writeEncapsulatedTwin(nativeFile: string, outFile: string, ts: string, codestream: Uint8Array): void {
  const message = dcmjs.data.DicomMessage.readFile(new Uint8Array(readFileSync(nativeFile)).buffer,
    { untilTag: '7FE00010' });
  message.meta['00020010'] = { vr: 'UI', Value: [ts] };
  const dict = new dcmjs.data.DicomDict(message.meta);
  // dcmjs keeps an empty PixelData (and its stale group length) where it stopped reading
  const { '7FE00000': _groupLength, '7FE00010': _pixelData, ...rest } = message.dict;
  dict.dict = rest;
  const fragment = Buffer.concat([codestream, Buffer.alloc(codestream.length % 2)]); // items have even length
  const element = Buffer.alloc(28);
  element.writeUInt32LE(0x00107fe0, 0); // (7FE0,0010) OB, undefined length
  element.write('OB', 4, 'latin1');
  element.writeUInt32LE(0xffffffff, 8);
  element.writeUInt32LE(0xe000fffe, 12); // empty basic offset table
  element.writeUInt32LE(0xe000fffe, 20); // the frame's fragment
  element.writeUInt32LE(fragment.length, 24);
  const delimiter = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
  writeFileSync(outFile, Buffer.concat([Buffer.from(dict.write()), element, fragment, delimiter]));
}
