// A small chest-like phantom with known geometry: an elliptic body cylinder of soft tissue in air, two lung
// spheres, a lesion sphere; label map 1 body tissue, 2 lung, 3 lesion (no overlap in the values themselves).
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { repoRoot } from '../../support/node-process.js';

export const COLS = 48;
export const ROWS = 40;
export const SLICES = 20;
export const SPACING: [number, number, number] = [0.8, 0.8, 2];

export const HU = { air: -1000, tissue: 40, lung: -850, lesion: 60 };
/** centre (i, j, k) and radius in voxels along i (j alike); along k the radius is radius · 0.8 / 2 voxels */
export const LUNG_RIGHT = { i: 15, j: 20, k: 9, r: 8 };
export const LUNG_LEFT = { i: 33, j: 20, k: 9, r: 7 };
export const LESION = { i: 24, j: 8, k: 15, r: 3 };

export interface Phantom { hu: Float32Array; labels: Uint8Array }

export function buildPhantom(): Phantom {
  const n = COLS * ROWS * SLICES;
  const hu = new Float32Array(n).fill(HU.air);
  const labels = new Uint8Array(n);
  for (let k = 0; k < SLICES; k++) {
    for (let j = 0; j < ROWS; j++) {
      for (let i = 0; i < COLS; i++) {
        const p = i + COLS * (j + ROWS * k);
        if (((i - 23.5) / 22) ** 2 + ((j - 20) / 17) ** 2 > 1) continue;   // outside the body: air
        hu[p] = HU.tissue;
        labels[p] = 1;
        if (inSphere(LUNG_RIGHT, i, j, k) || inSphere(LUNG_LEFT, i, j, k)) { hu[p] = HU.lung; labels[p] = 2; }
        if (inSphere(LESION, i, j, k)) { hu[p] = HU.lesion; labels[p] = 3; }
      }
    }
  }
  return { hu, labels };
}

/** A sphere in mm: voxels are 0.8 mm in plane and 2 mm apart between slices. */
export function inSphere(s: { i: number; j: number; k: number; r: number }, i: number, j: number, k: number): boolean {
  const mm = (di: number, dj: number, dk: number) => Math.hypot(di * SPACING[0], dj * SPACING[1], dk * SPACING[2]);
  return mm(i - s.i, j - s.j, k - s.k) <= s.r * SPACING[0];
}

export function decode(png: Uint8Array): { width: number; height: number;
  rgb: (x: number, y: number) => [number, number, number] } {
  const image = PNG.sync.read(Buffer.from(png));
  return {
    width: image.width, height: image.height,
    rgb: (x, y) => {
      const o = 4 * (y * image.width + x);
      return [image.data[o], image.data[o + 1], image.data[o + 2]];
    },
  };
}

export const previewDir = path.join(repoRoot, 'test-output/previews');

export function savePreview(name: string, png: Uint8Array): string {
  fs.mkdirSync(previewDir, { recursive: true });
  const file = path.join(previewDir, `${name}.png`);
  fs.writeFileSync(file, png);
  return file;
}
