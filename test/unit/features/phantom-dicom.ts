// Test helper: the IBSI 1 digital phantom (NIfTI) as a DICOM CT series (one file per slice, 2 mm voxels) and a
// BINARY DICOM SEG of its ROI referencing that series, so features can be computed through the DICOM path.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeSegmentation } from '../../../src/encode/seg.js';
import type { SegmentDescription } from '../../../src/encode/types.js';
import { loadSeriesVolume } from '../../../src/infer/volume/index.js';
import { writeSyntheticCtSeries } from '../../../src/synthetic/index.js';
import { readNifti } from './ibsi-phantom.js';

export const PHANTOM_SEGMENT: SegmentDescription = {
  labelValues: [1], label: 'IBSI phantom ROI', colorRgb: [255, 0, 0], measurements: ['volume'],
  category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
  type: { scheme: 'SCT', value: '108369006', meaning: 'Neoplasm' },
};

export interface PhantomDicom { ctFiles: string[]; segBytes: Uint8Array; dir: string }

/** Writes the CT series (HU = the phantom's values) and encodes the SEG of its mask on the loaded slices. */
export async function phantomAsDicom(): Promise<PhantomDicom> {
  const image = readNifti('digital-phantom-image.nii.gz');
  const mask = readNifti('digital-phantom-mask.nii.gz');
  const [z, y, x] = image.dims;
  if (new Set(image.spacing).size !== 1) throw new Error('the phantom has isotropic voxels; this helper assumes so');
  const roi = Uint8Array.from(mask.data, (v) => (v > 0.5 ? 1 : 0));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ibsi-dicom-'));
  const written = await writeSyntheticCtSeries(path.join(dir, 'ct'), {
    phantom: { hu: Int16Array.from(image.data, Math.round), bodyMask: roi,
      lungMask: new Uint8Array(roi.length), dims: [x, y, z] },
    pixelSpacing: image.spacing[1], sliceSpacing: image.spacing[0], origin: [0, 0, 0],
  });
  const loaded = await loadSeriesVolume(written.files, { minSlices: 1 });
  const seg = encodeSegmentation(loaded.slices, { dims: loaded.volume.dims, data: roi }, [PHANTOM_SEGMENT],
    { name: 'IBSI phantom mask', version: '1', modelId: 'ibsi-phantom',
      family: { scheme: 'DCM', value: '113076', meaning: 'Segmentation' } },
    { jobId: 'phantom', uidRoot: '2.25' });
  return { ctFiles: written.files, segBytes: seg.bytes, dir };
}
