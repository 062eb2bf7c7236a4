// What a radiologist sees of a detection SR in OHIF, read in Chromium: the radiograph's viewport as pixels (PNG
// screenshots decoded here), where OHIF puts an image point on its canvas, the SR display set's measurements, and
// whether annotation strokes lie on a rectangle's edges.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { e2eScreenshotDir } from './ohif-viewer.js';

export interface Pixels { width: number; height: number; data: Buffer }
/** A rectangle on the viewport canvas, in canvas (CSS) pixels. */
export interface CanvasRect { x0: number; y0: number; x1: number; y1: number }

/** Waits until the viewport canvas shows an image (a good share of lit pixels), not an empty frame. */
export async function waitForImage(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('canvas.cornerstone-canvas');
    const ctx = canvas && canvas.width > 0 ? canvas.getContext('2d') : null;
    if (!canvas || !ctx) return false;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 16) if (d[i] + d[i + 1] + d[i + 2] > 60) lit++;
    return lit > d.length / 16 / 20;
  }, undefined, { timeout: 30_000 });
}

/**
 * Screenshot of the viewport canvas's area (image and the SVG annotation layer above it), written to
 * test-output/e2e/<name>.png and decoded: the canvas's own pixels would miss the annotations, which
 * Cornerstone draws in SVG.
 */
export async function viewportShot(page: Page, name: string): Promise<{ file: string; pixels: Pixels }> {
  fs.mkdirSync(e2eScreenshotDir, { recursive: true });
  const box = await page.locator('canvas.cornerstone-canvas').first().boundingBox();
  if (!box) throw new Error('no viewport canvas on the page');
  const file = path.join(e2eScreenshotDir, `${name}.png`);
  const png = PNG.sync.read(await page.screenshot({ path: file, clip: box }));
  return { file, pixels: { width: png.width, height: png.height, data: png.data } };
}

/**
 * Canvas positions of SCOORD points (column, row; 0,0 the top-left corner of the first pixel, PS3.3 C.18.6.1.1)
 * through OHIF's own image geometry: Cornerstone's image coordinates put 0,0 on the first pixel's centre.
 */
export function scoordToCanvas(page: Page, points: Array<[number, number]>): Promise<Array<[number, number]>> {
  return page.evaluate((pts) => {
    const cs = (window as any).cornerstone;
    const viewport = cs.getEnabledElements()[0].viewport;
    const imageId = viewport.getCurrentImageId();
    const toWorld = (x: number, y: number) => cs.utilities.imageToWorldCoords(imageId, [x - 0.5, y - 0.5]);
    return pts.map(([x, y]) => viewport.worldToCanvas(toWorld(x, y)) as [number, number]);
  }, points);
}

export async function boxOnCanvas(page: Page, b: { x0: number; y0: number; x1: number; y1: number }):
  Promise<CanvasRect> {
  const [[x0, y0], [x1, y1]] = await scoordToCanvas(page, [[b.x0, b.y0], [b.x1, b.y1]]);
  return { x0: x0!, y0: y0!, x1: x1!, y1: y1! };
}

export function rgbAt(p: Pixels, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * p.width + Math.round(x)) * 4;
  return [p.data[i]!, p.data[i + 1]!, p.data[i + 2]!];
}

/** Annotation strokes are coloured (OHIF draws in green and yellow); the radiograph is grey. */
export function isColoured([r, g, b]: [number, number, number]): boolean {
  return Math.max(r, g, b) - Math.min(r, g, b) > 60;
}

/** Share of coloured pixels in `r` (default: the whole shot; the viewport's own border and icons are blue). */
export function colouredShareOf(p: Pixels,
  r: CanvasRect = { x0: 0, y0: 0, x1: p.width - 1, y1: p.height - 1 }): number {
  let n = 0;
  let all = 0;
  for (let y = Math.max(0, Math.ceil(r.y0)); y <= Math.min(p.height - 1, Math.floor(r.y1)); y++) {
    for (let x = Math.max(0, Math.ceil(r.x0)); x <= Math.min(p.width - 1, Math.floor(r.x1)); x++, all++) {
      if (isColoured(rgbAt(p, x, y))) n++;
    }
  }
  return all === 0 ? NaN : n / all;
}

/**
 * Share of points sampled along the rectangle's four edges, moved `offset` canvas pixels outwards, that have a
 * coloured pixel within `reach` pixels across the edge and 3 along it (OHIF draws an SR's shapes dashed):
 * about 1 on a drawn rectangle, about 0 off it.
 */
export function edgeCoverage(p: Pixels, r: CanvasRect, offset = 0, reach = 1): number {
  const [x0, y0, x1, y1] = [r.x0 - offset, r.y0 - offset, r.x1 + offset, r.y1 + offset];
  const coloured = (x: number, y: number) =>
    x >= 0 && y >= 0 && x < p.width && y < p.height && isColoured(rgbAt(p, x, y));
  const near = (x: number, y: number, horizontal: boolean) => {
    for (let across = -reach; across <= reach; across++) {
      for (let along = -3; along <= 3; along++) {
        if (horizontal ? coloured(x + along, y + across) : coloured(x + across, y + along)) return true;
      }
    }
    return false;
  };
  const hits: boolean[] = [];
  // the inner 80 % of each edge: a corner is where OHIF's dashed link line to the label starts
  for (let t = 0.1; t <= 0.9; t += 0.05) {
    const x = x0 + t * (x1 - x0);
    const y = y0 + t * (y1 - y0);
    hits.push(near(x, y0, true), near(x, y1, true), near(x0, y, false), near(x1, y, false));
  }
  return hits.filter(Boolean).length / hits.length;
}

/** Mean grey level inside a canvas rectangle (shrunk by `inset` pixels), e.g. the metal in the radiograph. */
export function meanGrey(p: Pixels, r: CanvasRect, inset = 0): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.ceil(r.y0 + inset); y <= Math.floor(r.y1 - inset); y++) {
    for (let x = Math.ceil(r.x0 + inset); x <= Math.floor(r.x1 - inset); x++) {
      const [red, g, b] = rgbAt(p, x, y);
      sum += (red + g + b) / 3;
      n++;
    }
  }
  return n === 0 ? NaN : sum / n;
}

export interface SrMeasurement { tracking: string; graphicType: string; points: number; loaded: boolean;
  labels: string[] }

/** The measurements of the SR display set OHIF has loaded (its TID 1500 parse), once every one is drawn. */
export async function loadedSrMeasurements(page: Page, count: number): Promise<SrMeasurement[]> {
  const handle = await page.waitForFunction((n) => {
    const sets = (window as any).services?.displaySetService?.getActiveDisplaySets() ?? [];
    const sr = sets.find((d: any) => d.Modality === 'SR' && d.isLoaded && d.measurements?.length >= n);
    if (!sr || !sr.measurements.every((m: any) => m.loaded)) return false;
    return sr.measurements.map((m: any) => ({
      tracking: m.TrackingIdentifier, graphicType: m.graphicType, points: m.pointsLength, loaded: m.loaded,
      labels: (m.labels ?? []).map((l: any) => `${l.label}: ${l.value}`),
    }));
  }, count, { timeout: 30_000 });
  return (await handle.jsonValue()) as SrMeasurement[];
}

/**
 * Polls viewport screenshots until `ready` holds (the SVG layer is drawn a few frames after the data is there). Every
 * 3 s without it the viewport is asked to render again: OHIF 3.13 sometimes hydrates an SR's annotations after the
 * viewport's last render, and they appear only at the next one (any pan or click); seen in one of many CI runs.
 */
export async function shotWhen(
  page: Page, name: string, ready: (p: Pixels) => boolean, timeoutMs = 15_000,
): Promise<{ file: string; pixels: Pixels }> {
  const deadline = Date.now() + timeoutMs;
  for (let poll = 1; ; poll++) {
    const shot = await viewportShot(page, name);
    if (ready(shot.pixels) || Date.now() > deadline) return shot;
    if (poll % 12 === 0)
      await page.evaluate(() => (window as any).cornerstone.getEnabledElements()[0].viewport.render());
    await page.waitForTimeout(250);
  }
}
