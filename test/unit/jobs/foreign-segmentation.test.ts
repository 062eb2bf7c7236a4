// A SEG from elsewhere, checked before it is measured: dcmqi's liver SEG names its three CT images; a FRACTIONAL
// copy, a copy that is not a SEG and a partly stored source series are refused with their codes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkSourcesStored, segmentationReferences } from '../../../src/jobs/foreign-segmentation.js';
import { testdata } from '../../support/node-process.js';

const liver = path.join(testdata, 'dcmqi-seg-sr', 'liver-seg.dcm');
const CT_UIDS = ['23431', '23432', '23433'].map((n) => `1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.${n}.1`);

function editedCopy(edits: string[]): Uint8Array {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'seg-edit-')), 'seg.dcm');
  fs.copyFileSync(liver, file);
  const r = spawnSync('dcmodify', ['-nb', ...edits, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return new Uint8Array(fs.readFileSync(file));
}

describe('a SEG from elsewhere', () => {
  it('names its source series and the three CT images its frames were derived from', () => {
    const refs = segmentationReferences(new Uint8Array(fs.readFileSync(liver)));
    expect(refs.sourceSeriesUid).toBe('1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1');
    expect([...refs.referencedImages].sort()).toEqual(CT_UIDS);
    expect(() => checkSourcesStored(refs, new Set(CT_UIDS))).not.toThrow();
  });

  it('refuses a source series stored only in part, or not at all (MEASURE_SOURCE_MISSING)', () => {
    const refs = segmentationReferences(new Uint8Array(fs.readFileSync(liver)));
    expect(() => checkSourcesStored(refs, new Set(CT_UIDS.slice(0, 2)))).toThrow(
      /^MEASURE_SOURCE_MISSING: .*1 of its 3 images/);
    expect(() => checkSourcesStored(refs, new Set())).toThrow(/^MEASURE_SOURCE_MISSING: .*none of its images/);
  });

  it('refuses a FRACTIONAL SEG (MEASURE_SEG_FRACTIONAL) and an object that is not a SEG (MEASURE_NOT_SEG)', () => {
    expect(() => segmentationReferences(editedCopy(['-m', '(0062,0001)=FRACTIONAL']))).toThrow(
      /^MEASURE_SEG_FRACTIONAL: /);
    expect(() => segmentationReferences(editedCopy(['-m', '(0008,0016)=1.2.840.10008.5.1.4.1.1.2']))).toThrow(
      /^MEASURE_NOT_SEG: /);
  });
});
