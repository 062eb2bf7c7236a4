// Test fixtures for the encoders: the real 3-slice CT, synthetic series with odd geometry, label volumes,
// and runners for the peer tools (dciodvfy, dcentvfy, dcmdump, dsrdump, pixelmed) that judge the output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { AlgorithmIdentity, JobIdentity, SegmentDescription, SourceSlice } from '../../../src/encode/types.js';

const dcmjs = createRequire(import.meta.url)('dcmjs');
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const realData = path.resolve(repoRoot, '../shared/testdata/real');

export const anatomical = { scheme: 'SCT', value: '91723000', meaning: 'Anatomical structure' };
export const algorithm: AlgorithmIdentity = {
  name: 'TestBodyLung', version: '1.2.0', modelId: 'test-body-lung', description: 'Threshold test model',
  family: { scheme: 'DCM', value: '123110', meaning: 'Artificial Intelligence' },
};
export const job: JobIdentity = { jobId: 'job-0001', uidRoot: '1.2.826.0.1.3680043.9.7433', manufacturer: 'TestSite' };

/** body = [1,2], lung = [2] overlap on purpose; liver = [3] never occurs → absent. */
export const bodyLungLiver: SegmentDescription[] = [
  { labelValues: [1, 2], label: 'Body', category: anatomical,
    type: { scheme: 'SCT', value: '123037004', meaning: 'Body structure' },
    colorRgb: [200, 150, 100], measurements: ['volume', 'mean', 'stdDev', 'min', 'max'] },
  { labelValues: [2], label: 'Lung', category: anatomical, type: { scheme: 'SCT', value: '39607008', meaning: 'Lung' },
    colorRgb: [128, 174, 128], measurements: ['volume', 'mean'] },
  { labelValues: [3], label: 'Liver', category: anatomical,
    type: { scheme: 'SCT', value: '10200004', meaning: 'Liver' },
    colorRgb: [221, 130, 101], measurements: ['volume'] },
];

export interface LoadedSeries { sources: SourceSlice[]; files: string[]; hu: Float32Array; cols: number; rows: number }

export function readNatural(file: string): Record<string, unknown> {
  const b = fs.readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)).dict;
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict);
}

/** Loads a series in file-name order with HU (stored value × slope + intercept, 16-bit signed/unsigned). */
export function loadSeries(dir: string, names?: string[]): LoadedSeries {
  const files = (names ?? fs.readdirSync(dir).sort()).map((n) => path.join(dir, n));
  const datasets = files.map(readNatural);
  const cols = datasets[0].Columns as number;
  const rows = datasets[0].Rows as number;
  const hu = new Float32Array(cols * rows * files.length);
  datasets.forEach((ds, k) => {
    const raw = (ds.PixelData as ArrayBuffer[])[0];
    const px =
      ds.PixelRepresentation === 1 ? new Int16Array(raw, 0, cols * rows) : new Uint16Array(raw, 0, cols * rows);
    const slope = Number(ds.RescaleSlope ?? 1);
    const intercept = Number(ds.RescaleIntercept ?? 0);
    for (let p = 0; p < cols * rows; p++) hu[k * cols * rows + p] = px[p] * slope + intercept;
    delete ds.PixelData;
  });
  const sources = datasets.map((ds) =>
    ({ sopInstanceUid: ds.SOPInstanceUID as string, sopClassUid: ds.SOPClassUID as string, dataset: ds }));
  return { sources, files, hu, cols, rows };
}

export interface SyntheticGeometry { cols: number; rows: number; slices: number; iop: number[]; origin: number[];
  step: number[]; spacing: [number, number] }

/** In-memory CT-like headers (naturalized) for odd geometries; written to files by writeSources for dcentvfy. */
export function syntheticSeries(name: string, g: SyntheticGeometry): SourceSlice[] {
  const base = `2.25.${BigInt('0x' + Buffer.from(name).toString('hex').padEnd(16, '0').slice(0, 24)).toString()}`;
  return Array.from({ length: g.slices }, (_, k) => {
    const sop = `${base}.3.${k + 1}`;
    const dataset: Record<string, unknown> = {
      SpecificCharacterSet: 'ISO_IR 192', SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: sop,
      StudyDate: '20240102', StudyTime: '101500', AccessionNumber: 'ACC42', Modality: 'CT', Manufacturer: 'Synthetic',
      ReferringPhysicianName: [], PatientName: [{ Alphabetic: 'Synthetic^Patient' }],
      PatientID: 'SYN-1', PatientBirthDate: '',
      PatientSex: 'O', StudyInstanceUID: `${base}.1`, SeriesInstanceUID: `${base}.2`, StudyID: 'S1', SeriesNumber: 3,
      InstanceNumber: k + 1, FrameOfReferenceUID: `${base}.4`, PositionReferenceIndicator: '',
      ImagePositionPatient: g.origin.map((o, a) => o + k * g.step[a]), ImageOrientationPatient: g.iop,
      SliceThickness: Math.hypot(...g.step), PixelSpacing: g.spacing, Rows: g.rows, Columns: g.cols,
      SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', BitsAllocated: 16, BitsStored: 16, HighBit: 15,
      PixelRepresentation: 1, RescaleIntercept: -1024, RescaleSlope: 1, ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      KVP: 120, AcquisitionNumber: 1, PatientPosition: 'HFS',
    };
    return { sopInstanceUid: sop, sopClassUid: dataset.SOPClassUID as string, dataset };
  });
}

/** Writes synthetic sources as CT files (zero pixels) so dcentvfy can compare them with SEG and SR. */
export function writeSources(sources: SourceSlice[], dir: string): string[] {
  return sources.map((s, k) => {
    const ds = { ...s.dataset, PixelData: new Int16Array(
      (s.dataset.Rows as number) * (s.dataset.Columns as number)).buffer, _vrMap: { PixelData: 'OW' } };
    const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: s.sopClassUid,
      MediaStorageSOPInstanceUID: s.sopInstanceUid, TransferSyntaxUID: '1.2.840.10008.1.2.1',
      ImplementationClassUID: '2.25.1',
    });
    const dict = new dcmjs.data.DicomDict(meta);
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
    const file = path.join(dir, `src-${String(k).padStart(3, '0')}.dcm`);
    fs.writeFileSync(file, Buffer.from(dict.write()));
    return file;
  });
}

export function tempDir(prefix: string): string { return fs.mkdtempSync(path.join(os.tmpdir(), `enc-${prefix}-`)); }

export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

export function run(cmd: string, args: string[]): { code: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** dciodvfy prints "Error - ..." lines for IOD violations; warnings are returned for the test to vet. */
export function dciodvfy(file: string): { errors: string[]; warnings: string[] } {
  const { out } = run('dciodvfy', [file]);
  const lines = out.split('\n');
  return { errors: lines.filter((l) => /^Error/.test(l)), warnings: lines.filter((l) => /^Warning/.test(l)) };
}

export function pixelmedSr(files: string[]): string {
  return execFileSync('java', [
    '-Djdk.xml.xpathExprOpLimit=0', '-Djdk.xml.xpathExprGrpLimit=0', '-Djdk.xml.xpathTotalOpLimit=0',
    '-cp', '/usr/share/java/pixelmed.jar', 'com.pixelmed.validate.DicomSRValidator', ...files,
  ], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Independent reader of a SEG: pydicom unpacks the frames (numpy bit order as PS3.5), we get counts per frame. */
export function pydicomFrameCounts(file: string):
  Array<{ segment: number; sop: string; position: number[]; count: number }> {
  const script = `
import sys, json, numpy as np, pydicom
ds = pydicom.dcmread(sys.argv[1])
rows, cols, n = ds.Rows, ds.Columns, int(ds.NumberOfFrames)
bits = np.unpackbits(np.frombuffer(ds.PixelData, dtype=np.uint8), bitorder='little')[: rows * cols * n]
frames = bits.reshape(n, rows * cols)
out = []
for f in range(n):
    g = ds.PerFrameFunctionalGroupsSequence[f]
    src = g.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID if 'DerivationImageSequence' in g else ''
    out.append({'segment': int(g.SegmentIdentificationSequence[0].ReferencedSegmentNumber), 'sop': str(src),
                'position': [float(v) for v in g.PlanePositionSequence[0].ImagePositionPatient], 'count': int(frames[f].sum())})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}
