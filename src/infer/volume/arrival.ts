// A series' volume assembled while its instances arrive: each file is read and decoded once, on one helper thread,
// into a growing shared buffer in arrival order; when the series completes, its geometry orders the slices in place
// (permute.ts), so completion costs a sort and a shuffle instead of a full load. Whatever the arrival path cannot
// take (a refusal, a grid that changes) makes it give up, and the full loader then loads or refuses the series
// with its code: the volume is always the one loadSeriesVolume gives.
import { seriesIdentity, workByFile } from './assemble.js';
import type { FrameRef } from './frames.js';
import { stackGeometry } from './geometry.js';
import { HelperThread } from './helper-thread.js';
import type { LoadedSeries, LoadOptions } from './types.js';

/** A stored file and what identifies its content (path, size, arrival), as the instance rows give it. */
export interface ArrivedFile { path: string; key: string }

// The buffer reserves address space up to this (committed only as it grows): 1000 slices of 1024² float32.
const MAX_BYTES = 4 * 2 ** 30 - 1;

// A growable SharedArrayBuffer (ES2024; Node 20 has it, this project's TypeScript lib does not declare it yet).
interface GrowableBuffer extends SharedArrayBuffer { readonly maxByteLength: number; grow(bytes: number): void }
const Growable =
  SharedArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => GrowableBuffer;

export class ArrivingSeries {
  private readonly helper = new HelperThread();
  private readonly entries = new Map<string, { frames: FrameRef[]; firstSlot: number }>();
  private readonly queued = new Set<string>();
  private buffer?: GrowableBuffer;
  private sliceSize = 0;
  private slots = 0;
  private gaveUp?: string;
  private work: Promise<void> = Promise.resolve();

  /** Files decoded so far. */
  get decoded(): number { return this.entries.size; }

  /** Why the arrival path gave up, if it did. */
  get failure(): string | undefined { return this.gaveUp; }

  /** Queues the files not taken yet (by key) for decoding; never throws. */
  add(files: ArrivedFile[]): void {
    const fresh = files.filter((f) => !this.entries.has(f.key) && !this.queued.has(f.key));
    if (fresh.length === 0 || this.gaveUp) return;
    for (const f of fresh) this.queued.add(f.key);
    this.work = this.work.then(() => (this.gaveUp ? undefined : this.decode(fresh))).catch((err: Error) => {
      this.gaveUp ??= err.message;
    });
  }

  /** The volume of exactly these files, or undefined when the arrival path gave up. Ends this assembly. */
  async finish(files: ArrivedFile[], opts: LoadOptions = {}): Promise<LoadedSeries | undefined> {
    try {
      this.add(files);
      await this.work;
      if (this.gaveUp || !this.buffer) return undefined;
      const frames: FrameRef[] = [];
      const slotOf = new Map<FrameRef, number>();
      for (const f of files) {
        const entry = this.entries.get(f.key)!;
        entry.frames.forEach((frame, i) => { frames.push(frame); slotOf.set(frame, entry.firstSlot + i); });
      }
      const identity = seriesIdentity(frames);
      const geometry = stackGeometry(frames, opts.minSlices ?? 3, opts.spacingTolerance ?? 0.05);
      const all = new Float32Array(this.buffer, 0, this.slots * this.sliceSize);
      await this.helper.permute(all, this.sliceSize, geometry.ordered.map((frame) => slotOf.get(frame)!));
      const data = new Float32Array(this.buffer, 0, geometry.ordered.length * this.sliceSize);
      return {
        volume: { dims: geometry.dims, spacing: geometry.spacing, affine: geometry.affine, data },
        slices: geometry.ordered.map((f) => f.header),
        ...identity,
      };
    } catch (err) {
      this.gaveUp ??= (err as Error).message; // a refusal: the full loader reports it with its code
      return undefined;
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.helper.stop();
  }

  /** One batch: headers, then the pixels into new slots at the end of the buffer. */
  private async decode(batch: ArrivedFile[]): Promise<void> {
    const latest = new Map(batch.map((f) => [f.path, f])); // a file stored twice in one batch: its last version
    const files = [...latest.values()];
    const share = await this.helper.headers(files.map((f) => f.path));
    const frames = share.frames;
    if (frames.length === 0) return;
    this.sliceSize ||= frames[0]!.geometry.columns * frames[0]!.geometry.rows;
    if (frames.some((f) => f.geometry.columns * f.geometry.rows !== this.sliceSize)) throw new Error(
      'slice size changed');
    const firstSlot = this.slots;
    const bytes = (firstSlot + frames.length) * this.sliceSize * Float32Array.BYTES_PER_ELEMENT;
    this.buffer ??= new Growable(0, { maxByteLength: MAX_BYTES });
    if (bytes > this.buffer.maxByteLength) throw new Error('series larger than the arrival buffer');
    this.buffer.grow(bytes);
    const data = new Float32Array(this.buffer, 0, bytes / Float32Array.BYTES_PER_ELEMENT);
    await this.helper.fill(data, this.sliceSize, workByFile(frames, share.syntaxes, firstSlot));
    this.slots += frames.length;
    let slot = firstSlot;
    for (const f of files) {
      const own = frames.filter((frame) => frame.file === f.path);
      this.entries.set(f.key, { frames: own, firstSlot: slot });
      slot += own.length;
    }
    for (const f of batch) this.queued.delete(f.key);
  }
}
