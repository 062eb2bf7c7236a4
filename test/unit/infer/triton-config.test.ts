// docker/triton: the model repository Triton would load agrees with the node's manifest of ct-body-lung (tensor names,
// datatypes, dims, version), and the compose file resolves with the repository layout mounted from files in git.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../src/infer/manifest.js';
import { validateManifest } from '../../../src/infer/manifest-schema.js';
import { repoRoot } from './helpers.js';

const tritonDir = path.join(repoRoot, 'docker', 'triton');
const pbtxt =
  fs.readFileSync(path.join(tritonDir, 'models', 'ct-body-lung', 'config.pbtxt'), 'utf8').replace(/#.*$/gm, '');
const manifest =
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'models', 'ct-body-lung', 'model.json'), 'utf8')) as ModelManifest;
const TRITON_TYPES: Record<string, string> = { TYPE_FP32: 'float32', TYPE_UINT8: 'uint8', TYPE_INT64: 'int64' };

/** The tensors of an input [...] or output [...] block: name, data_type and dims of each. */
function tensors(block: 'input' | 'output') {
  const body = new RegExp(`\\b${block}\\s*\\[([\\s\\S]*?)\\n\\]`).exec(pbtxt)?.[1] ?? '';
  return [...body.matchAll(/name:\s*"([^"]+)"\s*data_type:\s*(\w+)\s*dims:\s*\[([^\]]*)\]/g)].map((m) => ({
    name: m[1], dtype: TRITON_TYPES[m[2]] ?? m[2], dims: m[3].split(',').map((d) => Number(d.trim())),
  }));
}

function composeCommand(): string[] | undefined {
  if (spawnSync('docker', ['compose', 'version']).status === 0) return ['docker', 'compose'];
  if (spawnSync('docker-compose', ['version']).status === 0) return ['docker-compose'];
  return undefined;
}

describe('docker/triton', () => {
  it('declares the manifest\'s tensors with matching datatypes and dims (-1 where the manifest is symbolic)', () => {
    expect(/name:\s*"ct-body-lung"/.test(pbtxt)).toBe(true);
    expect(/backend:\s*"onnxruntime"/.test(pbtxt)).toBe(true);
    expect(/max_batch_size:\s*0\b/.test(pbtxt)).toBe(true); // so the dims are the whole tensor shape
    for (const [block, declared] of [['input', manifest.inputs], ['output', manifest.outputs]] as const) {
      expect(tensors(block)).toEqual(declared.map((t) =>
        ({ name: t.name, dtype: t.dtype, dims: t.shape.map((d) => (typeof d === 'number' ? d : -1)) })));
    }
  });

  it('gives the scaled-out nodes the built-in manifest with a backend on this Triton service (compose.scale.yml)',
    () => {
      const file = path.join(tritonDir, 'node-models', 'ct-body-lung', 'model.json');
      const remote = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelManifest & { backend: Record<string, unknown> };
      const { backend, ...rest } = remote;
      // drift guard: a rebuilt built-in model needs this copy made again (its manifest plus the backend below)
      expect(rest, `${file} is not models/ct-body-lung/model.json plus a backend`).toEqual(manifest);
      expect(validateManifest(remote).errors).toEqual([]);
      expect(backend).toMatchObject(
        { type: 'kserve-v2', url: 'http://triton:8000', model: 'ct-body-lung', version: '1', protocol: 'http' });
      expect(new RegExp(`name:\\s*"${String(backend.model)}"`).test(pbtxt)).toBe(true);
      expect(new RegExp(`versions:\\s*\\[\\s*${String(backend.version)}\\s*\\]`).test(pbtxt)).toBe(true);
    });

  const compose = composeCommand();
  it.skipIf(!compose)(
    'resolves a Triton service with config.pbtxt and version 1 of the repository\'s model.onnx mounted',
    () => {
      const file = path.join(tritonDir, 'compose.triton.yml');
      const run = (args: string[]) =>
        spawnSync(compose![0], [...compose!.slice(1), '-f', file, ...args], { encoding: 'utf8' });
      const services = run(['config', '--services']);
      expect(services.status, services.stderr).toBe(0);
      expect(services.stdout.trim().split('\n')).toEqual(['triton']);
      const resolved = run(['config']).stdout;
      const mounts = [...resolved.matchAll(/- (\/\S+):(\/models\/\S+):ro/g)].map((m) =>
        ({ source: m[1], target: m[2] }));
      expect(mounts.map((m) => m.target).sort()).toEqual(
        ['/models/ct-body-lung/1/model.onnx', '/models/ct-body-lung/config.pbtxt']);
      for (const m of mounts) expect(fs.existsSync(m.source), m.source).toBe(true);
      expect(mounts.find((m) => m.target.endsWith('model.onnx'))!.source).toBe(
        path.join(repoRoot, 'models', 'ct-body-lung', 'model.onnx'));
      expect(/versions:\s*\[\s*1\s*\]/.test(pbtxt)).toBe(true); // the version folder mounted is the one Triton loads
    });
});
