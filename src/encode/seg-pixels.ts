// Label volume → which frames a SEG holds, per-segment voxel counts, overlap, and the bit-packed PixelData.
import type { LabelVolume } from './types.js';
import { runEnd, wordView } from './label-runs.js';

export interface SegmentPlan {
  /** index into the caller's segment list */
  inputIndex: number;
  /** 1..N among present segments */
  number: number;
  voxelCount: number;
  /** voxels of this segment in each source slice */
  perSlice: Uint32Array;
  /** membership table: member[labelValue] === 1 when the label belongs to this segment */
  member: Uint8Array;
}

export interface SegFrame { segmentNumber: number; slice: number }

export interface PixelPlan { segments: SegmentPlan[]; absentInputIndexes: number[]; overlap: boolean }

/** One pass over the labels: a per-slice histogram, from which counts, presence and overlap all follow. */
export function planSegments(labels: LabelVolume, labelSets: number[][]): PixelPlan {
  const [cols, rows, slices] = labels.dims;
  const histogram = sliceHistograms(labels.data, cols * rows, slices);
  const segments: SegmentPlan[] = [];
  const absentInputIndexes: number[] = [];
  const owners = new Uint8Array(256);   // how many present segments claim each label value that occurs
  labelSets.forEach((values, inputIndex) => {
    const member = new Uint8Array(256);
    const unique = [...new Set(values)];
    for (const v of unique) member[v] = 1;
    const perSlice = new Uint32Array(slices);
    let voxelCount = 0;
    for (let k = 0; k < slices; k++) {
      let n = 0;
      for (const v of unique) n += histogram[k * 256 + v];
      perSlice[k] = n;
      voxelCount += n;
    }
    if (voxelCount === 0) { absentInputIndexes.push(inputIndex); return; }
    for (let v = 0; v < 256; v++) if (member[v] && totalOf(histogram, v, slices) > 0) owners[v]++;
    segments.push({ inputIndex, number: segments.length + 1, voxelCount, perSlice, member });
  });
  return { segments, absentInputIndexes, overlap: owners.some((n) => n > 1) };
}

/** Frames in segment-major, source-slice order; empty frames dropped when omitEmpty. */
export function listFrames(plan: PixelPlan, slices: number, omitEmpty: boolean): SegFrame[] {
  const frames: SegFrame[] = [];
  for (const s of plan.segments) {
    for (let k = 0; k < slices; k++) {
      if (!omitEmpty || s.perSlice[k] > 0) frames.push({ segmentNumber: s.number, slice: k });
    }
  }
  return frames;
}

/**
 * Packs frames as one continuous bit stream (PS3.5 8.1.1: first pixel in the least significant bit, frames NOT
 * byte-aligned), into one preallocated buffer padded to even length.
 */
export function packFrames(labels: LabelVolume, plan: PixelPlan, frames: SegFrame[]): Uint8Array {
  const [cols, rows] = labels.dims;
  const plane = cols * rows;
  const byteLength = Math.ceil((plane * frames.length) / 8);
  const out = new Uint8Array(byteLength + (byteLength % 2));
  const data = labels.data;
  const words = wordView(data);
  let bit = 0;
  for (const frame of frames) {
    packFrame(data, words, frame.slice * plane, plane, plan.segments[frame.segmentNumber - 1].member, out, bit);
    bit += plane;
  }
  return out;
}

/** Writes one frame's bits from bit offset `bit` on: lead-in to a byte boundary, then 8 pixels per byte, then tail. */
function packFrame(data: Uint8Array, words: Uint32Array | undefined, base: number, plane: number, member: Uint8Array,
  out: Uint8Array, bit: number): void {
  let byteIndex = bit >>> 3;
  let shift = bit & 7;
  let acc = out[byteIndex];   // keeps the previous frame's bits that share this byte
  let p = 0;
  for (; shift !== 0 && p < plane; p++) {
    acc |= member[data[base + p]] << shift;
    if (++shift === 8) { out[byteIndex++] = acc; acc = 0; shift = 0; }
  }
  if (shift !== 0) { out[byteIndex] = acc; return; }
  const end8 = p + ((plane - p) & ~7);
  // 8 background labels (0 is never a member) leave the zero-initialised byte as it is: skip them 4 bytes at a time
  const aligned = words !== undefined && ((base + p) & 3) === 0;
  for (; p < end8; p += 8) {
    const q = base + p;
    if (aligned && words[q >>> 2] === 0 && words[(q >>> 2) + 1] === 0) { byteIndex++; continue; }
    out[byteIndex++] = member[data[q]] | (member[data[q + 1]] << 1) | (member[data[q + 2]] << 2)
      | (member[data[q + 3]] << 3) | (member[data[q + 4]] << 4) | (member[data[q + 5]] << 5)
      | (member[data[q + 6]] << 6) | (member[data[q + 7]] << 7);
  }
  acc = 0;
  for (; p < plane; p++) acc |= member[data[base + p]] << (shift++);
  if (shift !== 0) out[byteIndex] = acc;
}

/** Per-slice label histograms; background is counted 4 voxels at a time, other labels per run. */
function sliceHistograms(data: Uint8Array, plane: number, slices: number): Uint32Array {
  const histogram = new Uint32Array(slices * 256);
  const words = wordView(data);
  for (let k = 0; k < slices; k++) {
    const h = k * 256;
    const end = (k + 1) * plane;
    let v = k * plane;
    while (v < end) {
      if (words !== undefined && (v & 3) === 0 && v + 4 <= end && words[v >>> 2] === 0) {
        histogram[h] += 4; v += 4; continue;
      }
      const label = data[v];
      const start = v;
      v = runEnd(data, words, v, label, end);
      histogram[h + label] += v - start;
    }
  }
  return histogram;
}

function totalOf(histogram: Uint32Array, value: number, slices: number): number {
  let n = 0;
  for (let k = 0; k < slices; k++) n += histogram[k * 256 + value];
  return n;
}
