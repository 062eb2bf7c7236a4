// The model manifest (models/<id>/model.json) as typed data: identity, applicability, tensors, pre/post-processing,
// DICOM output.

export interface Code { scheme: string; value: string; meaning: string }

/** One segment of the output label map, consumed as is by the SEG/SR encoder. */
export interface SegmentDescription {
  labelValues: number[];
  label: string;
  category: Code;
  type: Code;
  typeModifier?: Code;
  colorRgb: [number, number, number];
  measurements: Array<'volume' | 'mean' | 'stdDev' | 'min' | 'max'>;
  /** Plausibility checks run on every result (src/qc); a result that fails one is marked qc "failed". */
  checks?: SegmentChecks;
  /** IBSI radiomics features for this segment in the SR: true = the CT defaults, an object = a partial
   *  FeatureConfig over them (src/features). Absent: none (they cost seconds per segment and ~200 NUMs each). */
  features?: true | Record<string, unknown>;
}

export interface ValueRange { min?: number; max?: number }

/** What a plausible result of this segment looks like; every field is optional, every limit inclusive. */
export interface SegmentChecks {
  /** No voxel at all passes every check (e.g. lung on a scan without lung); otherwise minimums apply to 0 ml. */
  mayBeAbsent?: boolean;
  volumeMl?: ValueRange;
  /** Volume divided by the scanned length along the slice axis, in ml per cm. */
  volumeMlPerCm?: ValueRange;
  /** Volume divided by the length the segment itself spans along the slice axis (its first to last slice), in ml per
   *  cm, i.e. its mean cross-section in cm²: unlike volumeMlPerCm it does not shrink when the scan range is long. */
  volumeMlPerCmOfExtent?: ValueRange;
  /** At most this fraction (0..1) of the segment's voxels may lie outside the segment with this SegmentLabel. */
  inside?: { segment: string; maxFractionOutside: number };
  /** At most this fraction (0..1) of the segment's voxels may lie on the in-plane image border. */
  maxBorderFraction?: number;
  /** At most this many 3D connected components (26-connectivity), not counting those under ignoreComponentsBelowMl. */
  maxComponents?: number;
  ignoreComponentsBelowMl?: number;
}

export type TensorDType = 'float32' | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'bool';
/** A tensor as the manifest declares it; string dims are symbolic (e.g. "D"). */
export interface TensorSpec { name: string; dtype: TensorDType; shape: Array<number | string> }
/** boxes: a detection head's output, decoded by the manifest's `detection.layout`. */
export type OutputKind = 'logits' | 'probabilities' | 'labelmap' | 'boxes';

/** Intensity steps, applied in order on the resampled image. */
export type IntensityStep =
  | { op: 'clip'; min: number; max: number }
  | { op: 'scaleShift'; scale: number; shift: number }          // x * scale + shift
  | { op: 'zscore'; mean?: number; std?: number };               // without mean/std: statistics of the volume

export interface Preprocessing {
  /** Order of the spatial tensor axes after [N, C]: "kji" = [slices, rows, columns] (DICOM memory order), "ijk" =
   *  transposed. */
  spatialAxes: 'kji' | 'ijk';
  /** Patient directions the model grid's i, j, k axes increase toward: LPS (DICOM) or RAS (NIfTI/MONAI). */
  orientation: 'LPS' | 'RAS';
  /** Voxel size in mm along the model grid's i, j, k; null keeps the source spacing. */
  targetSpacing: [number, number, number] | null;
  interpolation: 'trilinear' | 'nearest';
  intensity: IntensityStep[];
}

export interface InferenceSettings {
  /** perSlice: a 2D model (input kind image2d) on each slice of a 3D series, `batch` slices per run. */
  mode: 'whole' | 'slidingWindow' | 'perSlice';
  /** Patch size along the model grid's i, j, k (sliding window only). */
  roi?: [number, number, number];
  overlap?: number;
  blending?: 'gaussian' | 'constant';
  batch?: number;
}

export interface Postprocessing {
  activation: 'softmax' | 'sigmoid' | 'none';
  /** argmax: label = channel index; threshold: one channel → 0/1, several → highest channel index above it, plus 1. */
  discretize: 'argmax' | 'threshold' | 'none';
  threshold?: number;
}

/** Where the network runs when not in-process: a KServe v2 / Open Inference Protocol server (NVIDIA Triton, KServe). */
export interface RemoteBackend {
  type: 'kserve-v2';
  /** Base URL: http://host:8000 for HTTP/REST, host:8001 (or http://host:8001) for gRPC. */
  url: string;
  /** The model's name on the server, and optionally its version (else the server's policy picks one). */
  model: string;
  version?: string;
  protocol: 'http' | 'grpc';
  /** Limit for one inference request; a request past it is retried like other transient failures. */
  timeoutMs: number;
  /** Most sliding-window patches sent in one request (the server's max batch); default inference.batch. */
  maxBatch?: number;
  /** Extra attempts after a transient failure (connection refused, timeout, 408/429/5xx); default 2. */
  retries?: number;
  /** Seconds between readiness checks of the server and the model; default 30. */
  readinessIntervalSeconds?: number;
  /** Consecutive transient failures that open the circuit (runs then fail fast), and how long it rests; 3 and 30 s. */
  circuitFailures?: number;
  circuitCoolDownSeconds?: number;
  /** HTTP only: send and ask for JSON tensors instead of the binary tensor extension (slow; for servers without it). */
  json?: boolean;
}

/** The window applied after the modality LUT: the header's VOI LUT (else its first window, else the image's range),
 *  or a fixed window in modality units. The result is 0..1 (MONOCHROME1 then inverted, so bright is dense). */
export type WindowSpec = { source: 'header' } | { source: 'fixed'; center: number; width: number };

/** A 2D image: one frame of a radiograph (CR, DX, MG, RF/XA, SC), or each slice of a 3D series (inference perSlice).
 *  The model size and channel count come from the input tensor [N, C, H, W]. */
export interface Image2dInput {
  kind: 'image2d';
  window: WindowSpec;
  /** letterbox: keep the aspect ratio and pad (centred) with padValue; stretch: fill the model size. */
  resize: 'letterbox' | 'stretch';
  /** the value (0..1, before mean/std) of letterbox padding; default 0 (black) */
  padValue?: number;
  /** per channel, applied last: (x − mean[c]) / std[c]; default 0 and 1 */
  mean?: number[];
  std?: number[];
  /** 1-based frame of a multi-frame object (default 1); perSlice uses every frame of the series */
  frame?: number;
}
export type ModelInput = { kind: 'volume' } | Image2dInput;

export interface FindingClass {
  /** the finding, SNOMED CT or RadLex (or another scheme) */
  code: Code;
  /** operating point: a score ≥ threshold is Present, below it Absent */
  threshold: number;
}

export interface ClassificationOutput {
  /** softmax across classes, or sigmoid per class (multi-label); none when the output is probabilities already */
  activation: 'softmax' | 'sigmoid' | 'none';
  /** one per output channel, in channel order */
  classes: FindingClass[];
}

/** Box layouts: xyxy-score-class = [N, M, 6] after NMS in model pixels; yolo = raw predictions, NMS by the node. */
export interface DetectionOutput {
  layout: 'xyxy-score-class' | 'yolo';
  scoreThreshold: number;
  iouThreshold: number;
  maxBoxes: number;
  classAgnostic: boolean;
  classes: FindingClass[];
}

/** What the model does; segmentation (the default) writes a label map, the others findings (image2d inputs). */
export type ModelTask = 'segmentation' | 'classification' | 'detection';

export interface ModelManifest {
  id: string;
  /** Filled in by validateManifest: "segmentation" when the file has none. */
  task: ModelTask;
  /** Filled in by validateManifest: {kind: "volume"} when the file has none. */
  input: ModelInput;
  /** Classification models: activation and the classes with their finding codes and operating points. */
  classification?: ClassificationOutput;
  /** Detection models: box layout, NMS settings and the classes (decoded by the detection post-processing). */
  detection?: DetectionOutput;
  version: string;
  sha256: string;
  description: string;
  intendedUse: string;
  clinical: boolean;
  applicability: { modalities: string[]; minSlices?: number; maxSliceSpacing?: number; bodyParts?: string[] };
  inputs: TensorSpec[];
  outputs: Array<TensorSpec & { kind: OutputKind }>;
  /** Volume inputs only (an image2d input carries its own 2D preprocessing). */
  preprocessing?: Preprocessing;
  inference: InferenceSettings;
  executionProviders: string[];
  intraOpNumThreads?: number;
  timeoutMs: number;
  maxConcurrent: number;
  /** Segmentation only. */
  postprocessing?: Postprocessing;
  /** Segmentation only; [] for classification and detection (filled in by validateManifest). */
  segments: SegmentDescription[];
  algorithm: { name: string; version: string; family: Code };
  /** Absent: the model runs in-process on onnxruntime-node. */
  backend?: RemoteBackend;
}

/** A segmentation model: the volume pipeline's preprocessing and postprocessing are there (validateManifest). */
export type SegmentationManifest = ModelManifest & { preprocessing: Preprocessing; postprocessing: Postprocessing };
export function isSegmentationModel(m: ModelManifest): m is SegmentationManifest {
  return m.task === 'segmentation' && m.preprocessing !== undefined && m.postprocessing !== undefined;
}
