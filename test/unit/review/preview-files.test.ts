// Previews from stored files, in the worker: the real 3-slice CT with dcmqi's liver SEG and its partial-overlaps
// SEG; the expected slice, pixels and colours come from pydicom reading the same SEG, not from the node's reader.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { renderPreviewsFromFiles } from '../../../src/review/preview-files.js';
import { testdata } from '../../support/node-process.js';
import { decode, savePreview } from './phantom.js';

const ct3 = ['01.dcm', '02.dcm', '03.dcm'].map((f) => path.join(testdata, 'dcmqi-ct3', f));
const liverSeg = path.join(testdata, 'dcmqi-seg-sr/liver-seg.dcm');
const overlapSeg = path.join(testdata, 'dcmqi-seg-sr/partial-overlaps-seg.dcm');

interface FrameFacts { segment: number; label: string; z: number; count: number; inner: [number, number] | null }

/**
 * pydicom: per frame, its segment, the z of the source slice it names, its voxel count, and a pixel deep inside
 * the mask (its 5×5 neighbourhood all in the mask), nearest to the mask's centroid.
 */
function frameFacts(segFile: string): FrameFacts[] {
  const script = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
z = {}
for f in sys.argv[2:]:
    src = pydicom.dcmread(f, stop_before_pixels=True)
    z[src.SOPInstanceUID] = float(src.ImagePositionPatient[2])
rows, cols, n = ds.Rows, ds.Columns, int(ds.NumberOfFrames)
data = ds.PixelData
bit = lambda b: (data[b >> 3] >> (b & 7)) & 1   # PS3.5 8.1.1: frames bit-contiguous, first pixel in the low bit
labels = {int(s.SegmentNumber): str(s.SegmentLabel) for s in ds.SegmentSequence}
out = []
for f in range(n):
    g = ds.PerFrameFunctionalGroupsSequence[f]
    seg = int(g.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
    sop = g.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
    base = f * rows * cols
    on = set(p for p in range(rows * cols) if bit(base + p))
    inner = None
    if on:
        cy = sum(p // cols for p in on) / len(on); cx = sum(p % cols for p in on) / len(on)
        deep = lambda p: all((p // cols + dy) * cols + (p % cols + dx) in on for dy in range(-2, 3) for dx in range(-2, 3))
        for p in sorted(on, key=lambda p: (p // cols - cy) ** 2 + (p % cols - cx) ** 2):
            if 2 <= p % cols < cols - 2 and deep(p):
                inner = [p % cols, p // cols]; break
    out.append({'segment': seg, 'label': labels[seg], 'z': z[sop], 'count': len(on), 'inner': inner})
print(json.dumps(out))
`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, segFile, ...ct3], { encoding: 'utf8' }));
}

/** volume slice k of a frame: slices ascend along the normal, here +z (axial, IOP 1\0\0\0\1\0) */
function sliceOf(frames: FrameFacts[], z: number): number {
  return [...new Set(frames.map((f) => f.z))].sort((a, b) => a - b).indexOf(z);
}

describe('renderPreviewsFromFiles on the real CT', () => {
  it('shows the liver on the slice where pydicom counts most of it, tinted, air black, coronal 4 px high', async () => {
    const previews = await renderPreviewsFromFiles(ct3, liverSeg);
    previews.forEach((p) => savePreview(`ct3-liver-${p.name}`, p.png));
    expect(previews.map((p) => p.name)).toEqual(['axial-1', 'coronal']);
    const frames = frameFacts(liverSeg);
    const best = frames.reduce((a, b) =>
      (b.count > a.count || (b.count === a.count && sliceOf(frames, b.z) < sliceOf(frames, a.z)) ? b : a));
    expect(previews[0].index).toBe(sliceOf(frames, best.z));
    expect(previews[0].title).toContain(`Liver, ${best.count} voxels`);
    expect(previews[0].title).toContain('W 400 L 40');   // no lung segment: soft-tissue window
    const axial = decode(previews[0].png);
    expect([axial.width, axial.height]).toEqual([512, 512]);
    const [r, g, b] = axial.rgb(...best.inner!);
    expect(r).toBeGreaterThan(b + 15);   // dcmqi's liver colour is a warm red-brown (Lab 41661\41167\40792)
    expect(r).toBeGreaterThan(g);
    expect(axial.rgb(2, 2)).toEqual([0, 0, 0]);   // air in the corner, at the soft-tissue window
    const coronal = decode(previews[1].png);
    expect([coronal.width, coronal.height]).toEqual([512, Math.round((3 * 1) / 0.810547)]);   // 3 slices 1 mm apart
  }, 60_000);

  it('keeps every segment of an overlapping SEG, each in its recommended colour', async () => {
    const previews = await renderPreviewsFromFiles(ct3, overlapSeg);
    previews.forEach((p) => savePreview(`ct3-overlaps-${p.name}`, p.png));
    const frames = frameFacts(overlapSeg);
    const labels = [...new Set(frames.map((f) => f.label))];
    expect(previews.filter((p) => p.name.startsWith('axial-'))).toHaveLength(labels.length);
    const expectHue: Record<string, (c: number[]) => boolean> = {
      GREEN: ([r, g, b]) => g > r && g > b, ORANGE: ([r, g, b]) => r > g && g >= b, PURPLE: ([r, , b]) => b > r - 10,
      LIGHT_BLUE: ([r, g, b]) => b > r && g > r, DARK_BLUE: ([r, , b]) => b > r + 20,
    };
    for (const preview of previews.filter((p) => p.name.startsWith('axial-'))) {
      const label = /: ([A-Z_]+),/.exec(preview.title)![1];
      const frame = frames.filter((f) => f.label === label).reduce((a, b) => (b.count > a.count ? b : a));
      expect(preview.index, label).toBe(sliceOf(frames, frame.z));
      if (!frame.inner) continue;   // a one-row segment has no inside pixel
      const image = decode(preview.png);
      const colour = image.rgb(...frame.inner);
      expect(expectHue[label](colour), `${label} at ${frame.inner}: ${colour}`).toBe(true);
    }
  }, 60_000);

  it('shows the source without segments when there is no SEG (nothing segmented)', async () => {
    const previews = await renderPreviewsFromFiles(ct3);
    expect(previews.map((p) => [p.name, p.index])).toEqual([['axial-middle', 1], ['coronal', 256]]);
    const axial = decode(previews[0].png);
    let tinted = 0;
    const greys = new Set<number>();
    for (let y = 0; y < axial.height; y++) {
      for (let x = 0; x < axial.width; x++) {
        const [r, g, b] = axial.rgb(x, y);
        if (r !== g || g !== b) tinted++;
        greys.add(r);
      }
    }
    expect(tinted).toBe(0);   // grey only
    expect(Math.min(...greys)).toBe(0);   // and not blank: air black, bone white, tissue between
    expect(Math.max(...greys)).toBe(255);
    expect(greys.size).toBeGreaterThan(200);
  }, 60_000);

  it('passes on the reader\'s refusal codes: not a SEG, an unreadable series file', async () => {
    await expect(renderPreviewsFromFiles(ct3, ct3[0])).rejects.toMatchObject({ code: 'SEG_READ_NOT_SEG' });
    await expect(renderPreviewsFromFiles([...ct3.slice(0, 2), liverSeg + '.missing'], liverSeg))
      .rejects.toMatchObject({ code: 'READ_FAILED' });
  }, 60_000);
});
