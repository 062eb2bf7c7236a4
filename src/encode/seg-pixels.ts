// Label volume → which frames a SEG holds, per-segment voxel counts, overlap, and the bit-packed PixelData.
import type { LabelVolume } from './types.js';

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
  const plane = cols * rows;
  const histogram = new Uint32Array(slices * 256);
  const data = labels.data;
  for (let k = 0; k < slices; k++) {
    const h = k * 256;
    const end = (k + 1) * plane;
    for (let v = k * plane; v < end; v++) histogram[h + data[v]]++;
  }
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
  let bit = 0;
  for (const frame of frames) {
    const member = plan.segments[frame.segmentNumber - 1].member;
    const base = frame.slice * plane;
    let byteIndex = bit >>> 3;
    let shift = bit & 7;
    let acc = out[byteIndex];   // keeps the previous frame's bits that share this byte
    for (let p = 0; p < plane; p++) {
      acc |= member[data[base + p]] << shift;
      if (++shift === 8) { out[byteIndex++] = acc; acc = 0; shift = 0; }
    }
    if (shift !== 0) out[byteIndex] = acc;
    bit += plane;
  }
  return out;
}

function totalOf(histogram: Uint32Array, value: number, slices: number): number {
  let n = 0;
  for (let k = 0; k < slices; k++) n += histogram[k * 256 + value];
  return n;
}
