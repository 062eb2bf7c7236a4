// Puts slices stored in arrival order into volume order in place, with one slice of scratch: the volume assembled
// while a series arrives (arrival.ts) needs no second volume-sized buffer when its geometry is finally known.

/**
 * After the call, slice k of `data` holds what slice `source[k]` held before. `source` names distinct slots of
 * `data` (it may leave some out: those end up past source.length, in no particular order). Runs in a helper.
 */
export function permuteSlices(data: Float32Array, sliceSize: number, source: readonly number[]): void {
  const slots = data.length / sliceSize;
  if (!Number.isInteger(slots)) throw new RangeError(`data length ${data.length} is not a multiple of ${sliceSize}`);
  const seen = new Set<number>();
  for (const s of source) {
    if (!Number.isInteger(s) || s < 0 || s >= slots || seen.has(s)) throw new RangeError(`bad source slot ${s}`);
    seen.add(s);
  }
  // where[s]: the position that now holds what slot s held; at[p]: the original slot now held at position p
  const where = Array.from({ length: slots }, (_, s) => s);
  const at = Array.from({ length: slots }, (_, p) => p);
  const scratch = new Float32Array(sliceSize);
  const slice = (p: number) => data.subarray(p * sliceSize, (p + 1) * sliceSize);
  source.forEach((s, k) => {
    const p = where[s]!;
    if (p === k) return;
    scratch.set(slice(k));
    data.copyWithin(k * sliceSize, p * sliceSize, (p + 1) * sliceSize);
    slice(p).set(scratch);
    const displaced = at[k]!;
    at[k] = s; where[s] = k;
    at[p] = displaced; where[displaced] = p;
  });
}
