// The model registry: loads every models/<id>/ at startup, refuses bad ones with a coded reason, keeps the good ones
// ready.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { InferenceError, type InferenceErrorCode } from './errors.js';
import type { ModelManifest } from './manifest.js';
import { validateManifest } from './manifest-schema.js';
import { openBackend, type BackendStatus, type ModelBackend } from './backend.js';
import { readOnnxSignature, type OnnxValueInfo } from './onnx-proto.js';
import type { InferLogger } from './worker-slot.js';

export interface ModelSummary {
  id: string; version: string; state: 'ready' | 'refused'; error?: string; provider?: string; clinical: boolean;
  description: string;
  /** Where it runs and whether that is ready now (a remote server can go away after start-up). */
  backend?: BackendStatus;
}
export interface ModelEntry { id: string; state: 'ready' | 'refused'; manifest?: ModelManifest; backend?: ModelBackend;
  error?: InferenceError }

export interface ModelRegistry {
  /** What GET /api/models shows: one row per model folder, refused ones with their reason. */
  list(): ModelSummary[];
  get(id: string): ModelEntry | undefined;
  close(): Promise<void>;
}

const silentLogger: InferLogger = { info() {}, warn() {}, error() {} };

/** Loads every model folder; one bad model never stops the others from loading. */
export async function loadModelRegistry(modelsDir: string,
  options: { log?: InferLogger } = {}): Promise<ModelRegistry> {
  const log = options.log ?? silentLogger;
  const folders =
    (await fs.readdir(modelsDir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const entries = new Map<string, ModelEntry>();
  // Each model's session probe is a child process: they run side by side.
  const loaded = await Promise.all(folders.map((folder) => loadModel(path.join(modelsDir, folder), folder, log)));
  for (const entry of loaded) {
    entries.set(entry.id, entry);
    if (entry.state === 'ready') log.info('model.ready',
      { modelId: entry.id, version: entry.manifest!.version, provider: entry.backend!.provider });
    else log.error('model.refused', { modelId: entry.id, code: entry.error!.code, reason: entry.error!.message });
  }
  return {
    list: () => [...entries.values()].map(summary),
    get: (id) => entries.get(id),
    close: async () => { await Promise.all([...entries.values()].map((e) => e.backend?.close())); },
  };
}

async function loadModel(folder: string, folderName: string, log: InferLogger): Promise<ModelEntry> {
  let manifest: ModelManifest | undefined;
  try {
    manifest = await readManifest(folder);
    if (manifest.id !== folderName) refuse('MANIFEST_INVALID',
      `/id: "${manifest.id}" differs from its folder name "${folderName}"`);
    const onnxPath = path.join(folder, 'model.onnx');
    // A remote model needs no local copy; when one is there it must still be the file the manifest names.
    const bytes = await fs.readFile(onnxPath).catch(() =>
      (manifest!.backend ? undefined : refuse('MODEL_LOAD_FAILED', `${onnxPath} cannot be read`)));
    if (bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (sha256 !== manifest.sha256) refuse('MODEL_SHA256_MISMATCH',
        `model.onnx has sha256 ${sha256}, the manifest says ${manifest.sha256}`);
      checkSignature(manifest, bytes);
    }
    const backend = openBackend(onnxPath, manifest, log);
    await backend.start();
    return { id: manifest.id, state: 'ready', manifest, backend };
  } catch (error) {
    const coded = error instanceof InferenceError ? error : new InferenceError('MODEL_LOAD_FAILED', String(error));
    return { id: manifest?.id ?? folderName, state: 'refused', manifest, error: coded };
  }
}

async function readManifest(folder: string): Promise<ModelManifest> {
  const file = path.join(folder, 'model.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    refuse('MANIFEST_INVALID', `${file}: ${(error as Error).message}`);
  }
  const result = validateManifest(parsed);
  if (!result.manifest) refuse('MANIFEST_INVALID', result.errors.join('; '));
  return result.manifest;
}

/** The ONNX graph must take and give exactly the tensors the manifest names, with the same ranks and fixed sizes. */
function checkSignature(manifest: ModelManifest, bytes: Uint8Array): void {
  let signature: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] };
  try {
    signature = readOnnxSignature(bytes);
  } catch (error) {
    refuse('MODEL_LOAD_FAILED', `model.onnx is not a readable ONNX model: ${(error as Error).message}`);
  }
  const problems = [
    ...compareTensors('inputs', manifest.inputs, signature.inputs),
    ...compareTensors('outputs', manifest.outputs, signature.outputs),
  ];
  if (problems.length) refuse('MODEL_IO_MISMATCH', problems.join('; '));
}

function compareTensors(where: string, declared: ModelManifest['inputs'], actual: OnnxValueInfo[]): string[] {
  const problems: string[] = [];
  if (declared.length !== actual.length) problems.push(
    `/${where}: manifest declares ${declared.length}, model.onnx has ${actual.length}`);
  declared.forEach((spec, n) => {
    const found = actual.find((a) => a.name === spec.name);
    if (!found) return problems.push(
      `/${where}/${n}/name: "${spec.name}" is not in model.onnx (it has ${actual.map((a) => `"${a.name}"`).join(', ')})`
    );
    if (found.dtype !== spec.dtype) problems.push(
      `/${where}/${n}/dtype: manifest ${spec.dtype}, model.onnx ${found.dtype}`);
    if (found.shape.length !== spec.shape.length) {
      return problems.push(
        `/${where}/${n}/shape: manifest rank ${spec.shape.length}, model.onnx rank ${found.shape.length}`);
    }
    spec.shape.forEach((d, axis) => {
      const other = found.shape[axis];
      if (typeof d === 'number' && typeof other === 'number' && other > 0 && d !== other) {
        problems.push(`/${where}/${n}/shape/${axis}: manifest ${d}, model.onnx ${other}`);
      }
    });
  });
  return problems;
}

function refuse(code: InferenceErrorCode, message: string): never {
  throw new InferenceError(code, message);
}

function summary(entry: ModelEntry): ModelSummary {
  return {
    id: entry.id, version: entry.manifest?.version ?? '', state: entry.state,
    ...(entry.error ? { error: entry.error.message } : {}),
    ...(entry.backend ? { provider: entry.backend.provider, backend: entry.backend.status() } : {}),
    clinical: entry.manifest?.clinical ?? false, description: entry.manifest?.description ?? '',
  };
}
