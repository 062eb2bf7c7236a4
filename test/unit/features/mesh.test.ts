// Marching cubes on hand-checked shapes: one voxel (an octahedron), a cube (flat faces, bevelled edges, cut
// corners: closed forms below), a voxelised sphere, and closure of the surface on an irregular mask.
import { describe, expect, it } from 'vitest';
import { marchingCubes } from '../../../src/features/mesh.js';

function block(n: number, pad: number): { mask: Uint8Array; side: number } {
  const side = n + 2 * pad, mask = new Uint8Array(side ** 3);
  for (let z = pad; z < pad + n; z++) for (let y = pad; y < pad + n; y++)
    for (let x = pad; x < pad + n; x++) mask[x + side * (y + side * z)] = 1;
  return { mask, side };
}

describe('marchingCubes', () => {
  it('turns one voxel into the octahedron through its face centres', () => {
    const mesh = marchingCubes(new Uint8Array([1]), [1, 1, 1], [1, 1, 1]);
    expect(mesh.vertices.length / 3).toBe(6);
    expect(mesh.triangles.length / 3).toBe(8);
    expect(mesh.area).toBeCloseTo(Math.sqrt(3), 12); // 8 equilateral triangles of side √2/2
    expect(mesh.volume).toBeCloseTo(1 / 6, 12); // two square pyramids, base 1/2, height 1/2
  });

  it.each([2, 5, 10])('meshes a cube of %i³ voxels with its closed-form area and volume', (n) => {
    const { mask, side } = block(n, 1);
    const mesh = marchingCubes(mask, [side, side, side], [1, 1, 1]);
    const m = n - 1;
    // faces m², edge strips m × √2/2, corner triangles √3/8
    expect(mesh.area).toBeCloseTo(6 * m * m + 6 * Math.SQRT2 * m + Math.sqrt(3), 9);
    // per marching cube: inside 1, face ½, edge ⅛, corner 1/48
    expect(mesh.volume).toBeCloseTo(m ** 3 + 3 * m * m + 1.5 * m + 1 / 6, 9);
  });

  it('scales with anisotropic spacing and closes the surface at the grid border', () => {
    const { mask } = block(4, 0);
    const mesh = marchingCubes(mask, [4, 4, 4], [2, 1, 0.5]);
    expect(mesh.volume).toBeCloseTo((27 + 27 + 4.5 + 1 / 6) * 2 * 1 * 0.5, 9);
  });

  it('approximates a voxelised sphere: volume within 2 %, area overestimated as marching cubes does on masks', () => {
    const n = 40, r = 15, mask = new Uint8Array(n ** 3);
    for (let z = 0; z < n; z++) for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) {
      if ((x - 19.5) ** 2 + (y - 19.5) ** 2 + (z - 19.5) ** 2 <= r * r) mask[x + n * (y + n * z)] = 1;
    }
    const mesh = marchingCubes(mask, [n, n, n], [1, 1, 1]);
    expect(Math.abs(mesh.volume / ((4 / 3) * Math.PI * r ** 3) - 1)).toBeLessThan(0.02);
    const areaRatio = mesh.area / (4 * Math.PI * r * r);
    expect(areaRatio).toBeGreaterThan(1);
    expect(areaRatio).toBeLessThan(1.12);
  });

  /** Every directed mesh edge must have exactly one opposite: the surface is closed and consistently oriented. */
  function expectClosed(triangles: Uint32Array): void {
    const directed = new Map<string, number>();
    for (let k = 0; k < triangles.length; k += 3) {
      for (let e = 0; e < 3; e++) {
        const key = `${triangles[k + e]}>${triangles[k + ((e + 1) % 3)]}`;
        directed.set(key, (directed.get(key) ?? 0) + 1);
      }
    }
    for (const [key, count] of directed) {
      const [a, b] = key.split('>');
      expect(count, key).toBe(1);
      expect(directed.get(`${b}>${a}`), `opposite of ${key}`).toBe(1);
    }
  }

  it.each([0.3, 0.45, 0.6])('closes the surface of a random mask with %f of voxels set', (density) => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const n = 8, mask = Uint8Array.from({ length: n ** 3 }, () => (random() < density ? 1 : 0));
    const { triangles } = marchingCubes(mask, [n, n, n], [1, 1, 1]);
    expect(triangles.length).toBeGreaterThan(300);
    expectClosed(triangles);
  });

  it('closes the surface for each of the 254 corner configurations of a 2×2×2 block', () => {
    for (let config = 1; config < 255; config++) {
      const mask = Uint8Array.from({ length: 8 }, (_, c) => (config >> c) & 1);
      const mesh = marchingCubes(mask, [2, 2, 2], [1, 1, 1]);
      expectClosed(mesh.triangles);
      expect(mesh.volume).toBeGreaterThan(0);
    }
  });
});

describe('convex hull and maximum diameter', () => {
  it('finds the unit cube around its corners and inner points, and its space diagonal', async () => {
    const { convexHull, maximumDistance } = await import('../../../src/features/geometry.js');
    const pts: number[] = [];
    for (let c = 0; c < 8; c++) pts.push(c & 1, (c >> 1) & 1, (c >> 2) & 1);
    for (let k = 1; k < 10; k++) pts.push(k / 10, 0.5, (k % 3) / 3, 0.3, k / 10, 0.7); // inside, and on faces
    const hull = convexHull(Float64Array.from(pts));
    expect(hull.volume).toBeCloseTo(1, 9);
    expect(hull.area).toBeCloseTo(6, 9);
    expect(maximumDistance(Float64Array.from(pts), hull.hullVertices)).toBeCloseTo(Math.sqrt(3), 12);
  });
});
