// Renders one axial slice of a phantom as a PNG: lung window grey, body outline tint and lung overlay in colour.
import fs from 'node:fs';
import { PNG } from 'pngjs';
import type { AnatomicalPhantom } from '../src/synthetic/anatomy/index.js';

const BODY_RGB = [230, 190, 140];
const LUNG_RGB = [90, 160, 230];
const MISSED_RGB = [255, 60, 60];

/**
 * Left half: the slice in a wide window (W 1600, L −300, so lung, tissue and padding all show); right half: the
 * same with the prediction overlaid (body tint, lung blue) and ground-truth lung the model missed in red.
 */
export function writeSlicePng(file: string, phantom: AnatomicalPhantom, labels: Uint8Array, k: number): void {
  const [n, m] = phantom.dims;
  const png = new PNG({ width: 2 * n, height: m });
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) {
      const v = i + n * (j + m * k);
      const grey = Math.max(0, Math.min(255, Math.round(((phantom.hu[v] + 1100) / 1600) * 255)));
      put(png, i, j, [grey, grey, grey]);
      let rgb = [grey, grey, grey];
      if (labels[v] === 2) rgb = mix(rgb, LUNG_RGB, 0.55);
      else if (labels[v] === 1) rgb = mix(rgb, BODY_RGB, 0.35);
      if (phantom.lungMask[v] && labels[v] !== 2) rgb = mix(rgb, MISSED_RGB, 0.7);
      if (!phantom.bodyMask[v] && labels[v] >= 1) rgb = mix(rgb, MISSED_RGB, 0.5);
      put(png, n + i, j, rgb);
    }
  }
  fs.writeFileSync(file, PNG.sync.write(png));
}

function put(png: PNG, x: number, y: number, rgb: number[]): void {
  const o = 4 * (y * png.width + x);
  png.data[o] = rgb[0]; png.data[o + 1] = rgb[1]; png.data[o + 2] = rgb[2]; png.data[o + 3] = 255;
}

function mix(a: number[], b: number[], t: number): number[] {
  return a.map((x, c) => Math.round(x * (1 - t) + b[c] * t));
}
