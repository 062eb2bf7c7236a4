// The 2D model run inside an inference worker: each image (a frame of a stored file, or a slice of a loaded series)
// prepared into the batch, the network run on `inference.batch` images at a time, its output split per image, and
// its findings: a classifier's per-class scores at their operating points, a detector's boxes after NMS mapped back
// through the image's transform to source pixels (and, per slice, onto their slice).
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { classFindings, classScores, type ClassFinding } from '../classify.js';
import { postprocessDetections, type Detection } from '../detect/index.js';
import { InferenceError } from '../errors.js';
import type { Image2dInput, ModelManifest } from '../manifest.js';
import type { TensorInference } from '../patch-engine.js';
import { FileReader } from '../volume/fill.js';
import { loadImageFrame } from './load.js';
import { modelImageSize, prepareImage, type SourceImage } from './prepare.js';
import { ImageTransform, type TransformParams } from './transform.js';

/** What a 2D run reads: frames of stored files (decoded here), or the slices of a series already loaded as a volume
 *  (modality values, slice k at data[k * rows * columns], its header in datasets[k]). */
export type Image2dSource =
  | { kind: 'frames'; frames: Array<{ file: string; frameNumber?: number }> }
  | { kind: 'slices'; data: Float32Array; rows: number; columns: number; datasets: Array<Record<string, unknown>> };

export interface ImageOutput {
  /** the image's position in the source (frame list or slice index) */
  index: number;
  sopInstanceUid?: string; sopClassUid?: string; frameNumber?: number;
  transform: TransformParams;
  /** classification: one finding per class */
  findings?: ClassFinding[];
  /** detection: the boxes in source pixels (slice = index for a per-slice run) */
  detections?: Detection[];
  /** frames of files: the image's header (no pixel data), for the report */
  dataset?: Record<string, unknown>;
}

export interface Image2dTimings { preprocessMs: number; inferenceMs: number; windowingMs: number;
  postprocessMs: number }

export async function runImages(manifest: ModelManifest, source: Image2dSource, tensor: TensorInference)
  : Promise<{ images: ImageOutput[]; timings: Image2dTimings }> {
  if (manifest.input.kind !== 'image2d') throw new InferenceError('MODEL_RUN_FAILED',
    `model ${manifest.id} takes no 2D image`);
  const spec: Image2dInput = manifest.input;
  const size = modelImageSize(manifest.inputs[0].shape);
  const count = source.kind === 'frames' ? source.frames.length : source.datasets.length;
  const batch = Math.max(1, manifest.backend?.maxBatch ?? manifest.inference.batch ?? 1);
  const perImage = size.channels * size.rows * size.columns;
  const images: ImageOutput[] = [];
  const timings: Image2dTimings = { preprocessMs: 0, inferenceMs: 0, windowingMs: 0, postprocessMs: 0 };
  const reader = new FileReader(); // one reused buffer: each image is prepared before the next file is read
  const prepareBatch = async (first: number) => {
    const t0 = performance.now();
    const n = Math.min(batch, count - first);
    const input = new Float32Array(n * perImage);
    const group: ImageOutput[] = [];
    for (let b = 0; b < n; b++) {
      const { image, identity } = await sourceImage(source, first + b, reader);
      const transform = prepareImage(image, spec, size, input.subarray(b * perImage, (b + 1) * perImage));
      group.push({ index: first + b, ...identity, transform });
    }
    timings.preprocessMs += performance.now() - t0;
    return { input, group, n };
  };
  // onnxruntime-node runs a session on the thread that asks (1.30: synchronously, at its next setImmediate), so an
  // in-process batch is run before the next one is prepared, one turn of the event loop later, and its time is its
  // own; a remote server's request is in flight meanwhile. A preparing thread was measured and dropped (README).
  let next = count > 0 ? await prepareBatch(0) : undefined;
  for (let first = 0; next; first += batch) {
    const { input, group, n } = next;
    const t1 = performance.now();
    const running = tensor(input, [n, size.channels, size.rows, size.columns]).then((output) =>
      ({ output, ms: performance.now() - t1 }));
    running.catch(() => {}); // awaited below; a failure while the next batch is prepared must not go unhandled
    next = first + batch < count ? (await nextTurn(), await prepareBatch(first + batch)) : undefined;
    const { output, ms } = await running;
    const t2 = performance.now();
    splitOutput(manifest, output, group, source.kind === 'slices');
    images.push(...group);
    timings.inferenceMs += ms;
    timings.postprocessMs += performance.now() - t2;
  }
  return { images, timings };
}

async function sourceImage(source: Image2dSource, index: number, reader: FileReader)
  : Promise<{ image: SourceImage; identity: Partial<ImageOutput> }> {
  if (source.kind === 'frames') {
    const { file, frameNumber } = source.frames[index]!;
    const frame = await loadImageFrame(file, frameNumber ?? 1, reader);
    const identity = { sopInstanceUid: frame.sopInstanceUid, sopClassUid: frame.sopClassUid,
      frameNumber: frame.frameNumber, dataset: frame.dataset };
    return { image: frame, identity };
  }
  const plane = source.rows * source.columns;
  // a copy: preparing windows the values in place, and the volume is shared with the caller
  const values = source.data.slice(index * plane, (index + 1) * plane);
  const dataset = source.datasets[index]!;
  const identity =
    { sopInstanceUid: String(dataset.SOPInstanceUID ?? ''), sopClassUid: String(dataset.SOPClassUID ?? '') };
  return { image: { values, rows: source.rows, columns: source.columns, dataset }, identity };
}

/** The output's first axis is the batch: each image gets its share, turned into class findings or boxes. */
function splitOutput(manifest: ModelManifest, output: { data: Float32Array; dims: number[] }, group: ImageOutput[],
  slices: boolean): void {
  if (output.dims[0] !== group.length) {
    throw new InferenceError('MODEL_RUN_FAILED',
      `model output has batch ${output.dims[0]}, ${group.length} images were sent`);
  }
  const per = output.data.length / group.length;
  group.forEach((image, b) => {
    const share = output.data.slice(b * per, (b + 1) * per);
    if (manifest.classification) {
      image.findings = classFindings(classScores(share, manifest.classification.activation), manifest.classification);
    } else if (manifest.detection) {
      const t = new ImageTransform(image.transform);
      image.detections = postprocessDetections(share, [1, ...output.dims.slice(1)], manifest.detection, {
        toSourcePoint: (p) => t.toSourcePoint(p), columns: image.transform.sourceColumns,
        rows: image.transform.sourceRows,
        ...(slices ? { slices: [image.index] } : {}),
      });
    }
  });
}
