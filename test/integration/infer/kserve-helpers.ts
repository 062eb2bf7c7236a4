// Model folders for the remote-inference tests: a manifest copied from models/ or written, pointed at a backend.
import fs from 'node:fs';
import path from 'node:path';
import type { ModelManifest, RemoteBackend } from '../../../src/infer/manifest.js';
import { repoRoot } from '../../unit/infer/helpers.js';

export const builtInModel = (id: string) => path.join(repoRoot, 'models', id);

/** Writes models/<id>/model.json (and a model.onnx link when `onnxPath` is given) under `modelsDir`. */
export function writeManifest(modelsDir: string, manifest: ModelManifest, onnxPath?: string): void {
  const folder = path.join(modelsDir, manifest.id);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'model.json'), JSON.stringify(manifest, null, 2));
  if (onnxPath) fs.symlinkSync(onnxPath, path.join(folder, 'model.onnx'));
}

/** The built-in manifest under another id, optionally served remotely. */
export function builtInManifest(id: string, newId: string, backend?: RemoteBackend): ModelManifest {
  const manifest = JSON.parse(fs.readFileSync(path.join(builtInModel(id), 'model.json'), 'utf8')) as ModelManifest;
  return { ...manifest, id: newId, ...(backend ? { backend } : {}) };
}
