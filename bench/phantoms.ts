// Phantom benchmark (npm run bench:phantoms): ct-body-lung on every anatomical phantom through the node's real
// registry and worker pool; prints Dice and lung volumes, and writes one overlay PNG per phantom
// to test-output/phantoms/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModelRegistry, runModel, shutdown } from '../src/infer/index.js';
import { PHANTOM_CASES, phantomToVolume, renderCase, scorePhantom } from '../src/synthetic/anatomy/index.js';
import { writeSlicePng } from './phantom-png.js';

async function main(): Promise<void> {
  const root = projectRoot();
  const outDir = path.join(root, 'test-output', 'phantoms');
  fs.mkdirSync(outDir, { recursive: true });
  const matrix = process.argv[2] ? Number(process.argv[2]) : undefined; // e.g. 256 for a quicker run
  const only = process.argv[3];
  const registry = await loadModelRegistry(path.join(root, 'models'));
  try {
    console.log('phantom                 | body Dice | lung Dice | lung ml truth | lung ml predicted | model ms');
    console.log('------------------------|-----------|-----------|---------------|-------------------|---------');
    for (const c of PHANTOM_CASES.filter((p) => !only || p.name === only)) {
      const phantom = renderCase(c, { matrix });
      const result = await runModel(registry, 'ct-body-lung', phantomToVolume(phantom));
      const s = scorePhantom(phantom, result.labels);
      const lung = Number.isNaN(s.lungDice) ? '—' : s.lungDice.toFixed(3);
      console.log(`${c.name.padEnd(24)}| ${s.bodyDice.toFixed(3).padStart(9)} | ${lung.padStart(9)} | ` +
        `${s.lungTruthMl.toFixed(0).padStart(13)} | ${s.lungPredictedMl.toFixed(1).padStart(17)} | ` +
        `${result.timings.totalMs.toFixed(0).padStart(7)}`);
      const k = c.keySliceZ === undefined ? mostLungSlice(phantom.lungMask, phantom.dims)
        : Math.round((c.keySliceZ - c.grid.firstZ) / c.grid.sliceMm);
      writeSlicePng(path.join(outDir, `${c.name}.png`), phantom, result.labels, k);
    }
    console.log(`\nPNGs in ${outDir} (left: the slice, W 1600 L −300; right: body tint, lung blue, errors red)`);
  } finally {
    await shutdown(registry);
  }
}

/** The slice with the most ground-truth lung, or the middle slice when there is none. */
function mostLungSlice(lungMask: Uint8Array, dims: [number, number, number]): number {
  const size = dims[0] * dims[1];
  let best = Math.floor(dims[2] / 2), bestCount = 0;
  for (let k = 0; k < dims[2]; k++) {
    let count = 0;
    for (let p = k * size; p < (k + 1) * size; p++) count += lungMask[p];
    if (count > bestCount) { best = k; bestCount = count; }
  }
  return best;
}

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

main().catch((error: unknown) => { console.error(error); process.exitCode = 1; });
