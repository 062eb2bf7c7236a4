// CLI: regenerates models/*/model.onnx from the TypeScript builders and writes each file's sha256 into model.json.
// Usage: node dist/src/infer/model-builders/build-models.js [modelsDir]
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCtBodyLung } from './ct-body-lung.js';
import { buildUnet3dBench } from './unet3d-bench.js';
import { buildCxrMetal } from './cxr-metal.js';
import { buildCxrView } from './cxr-view.js';
import { buildDetBench, buildResnet18Bench } from './resnet18-bench.js';

/** Every model this project builds itself, by folder name. */
export const modelBuilders: Record<string, () => Uint8Array> = {
  'ct-body-lung': buildCtBodyLung,
  'unet3d-bench': () => buildUnet3dBench(),
  'cxr-metal': buildCxrMetal,
  'cxr-view': buildCxrView,
};

/** Random-weight speed models of realistic size (45 MB, 6 MB): built into bench/models/, not kept in git, and not
 *  in models/ so the node does not load them at every start; a node with `models.dir: "bench/models"` runs them. */
export const benchModelBuilders: Record<string, () => Uint8Array> = {
  'resnet18-bench': () => buildResnet18Bench(),
  'det-bench': () => buildDetBench(),
};

/** Writes model.onnx and updates the manifest's sha256 for each builder; returns id → sha256. */
export function buildModels(modelsDir: string, builders = modelBuilders): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [id, build] of Object.entries(builders)) {
    const bytes = build();
    const folder = path.join(modelsDir, id);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'model.onnx'), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const manifestPath = path.join(folder, 'model.json');
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { sha256: string };
    manifest.sha256 = sha256;
    fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    hashes[id] = sha256;
  }
  return hashes;
}

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const modelsDir = process.argv[2] ?? path.join(projectRoot(), 'models');
  const benchDir = process.argv[3] ?? path.join(projectRoot(), 'bench', 'models');
  const built = { ...buildModels(modelsDir), ...buildModels(benchDir, benchModelBuilders) };
  for (const [id, sha256] of Object.entries(built)) console.log(`${id}\t${sha256}`);
}
