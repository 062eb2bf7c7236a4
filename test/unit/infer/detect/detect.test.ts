// Detection post-processing on hand-checked cases: IoU, NMS per class and class-agnostic, operating points,
// YOLOv5/v8 rows (also transposed), xyxy rows, map-back through a letterbox, per-slice batches, 10 000 raw boxes.
import { describe, expect, it } from 'vitest';
import {
  DetectError, decodeOutput, iou, postprocessDetections, selectBoxes, type DetectionOptions,
} from '../../../../src/infer/detect/index.js';
import { emptyCandidates } from '../../../../src/infer/detect/decode.js';

const metal = { scheme: 'SCT', value: '425620007', meaning: 'Metal' };
const body = { scheme: 'SCT', value: '19227008', meaning: 'Foreign body' };
const identity = (p: { x: number; y: number }) => p;

function options(over: Partial<DetectionOptions> = {}): DetectionOptions {
  return {
    layout: 'yolo', scoreThreshold: 0.25, iouThreshold: 0.5, maxBoxes: 100, classAgnostic: false,
    classes: [{ code: metal }, { code: body }], ...over,
  };
}

/** Candidates from [x1, y1, x2, y2, score, class] rows. */
function candidates(rows: number[][]) {
  const c = emptyCandidates(rows.length);
  for (const [x1, y1, x2, y2, s, k] of rows) {
    const i = c.count++;
    c.x1[i] = x1; c.y1[i] = y1; c.x2[i] = x2; c.y2[i] = y2; c.score[i] = s; c.classIndex[i] = k;
  }
  return c;
}

function codeOf(e: unknown): string | undefined { return e instanceof DetectError ? e.code : undefined; }
function thrown(fn: () => unknown): unknown { try { fn(); } catch (e) { return e; } return undefined; }

describe('IoU and NMS', () => {
  it('IoU of two 10×10 boxes shifted by 5 is 50 / 150', () => {
    const c = candidates([[0, 0, 10, 10, 1, 0], [5, 0, 15, 10, 1, 0], [10, 0, 20, 10, 1, 0]]);
    expect(iou(c, 0, 1)).toBeCloseTo(1 / 3, 6);
    expect(iou(c, 0, 2)).toBe(0);   // touching edges do not overlap
  });

  // A and B overlap by 90/110 = 0.82; C is apart; D is A's twin of the other class
  const rows = [[0, 0, 10, 10, 0.9, 0], [1, 0, 11, 10, 0.8, 0], [20, 20, 30, 30, 0.7, 0], [0, 0, 10, 10, 0.85, 1]];

  it('per class: B is suppressed by A, D survives beside A; order is by score', () => {
    expect(selectBoxes(candidates(rows), options(), true)).toEqual([0, 3, 2]);
  });

  it('class-agnostic: D is suppressed by A too', () => {
    expect(selectBoxes(candidates(rows), options({ classAgnostic: true }), true)).toEqual([0, 2]);
  });

  it('an IoU threshold above 0.82 keeps B', () => {
    expect(selectBoxes(candidates(rows), options({ iouThreshold: 0.85 }), true)).toEqual([0, 3, 1, 2]);
  });

  it('maxBoxes keeps the best ones', () => {
    expect(selectBoxes(candidates(rows), options({ maxBoxes: 2 }), true)).toEqual([0, 3]);
  });

  it('a box below its class operating point is dropped before NMS and suppresses nothing', () => {
    const opts =
      options({ classAgnostic: true, classes: [{ code: metal, threshold: 0.95 }, { code: body, threshold: 0.3 }] });
    // the class-0 box (0.9) would suppress the overlapping class-1 box (0.6) if it took part
    const c = candidates([[100, 100, 110, 110, 0.9, 0], [101, 100, 111, 110, 0.6, 1], [0, 0, 5, 5, 0.2, 1]]);
    expect(selectBoxes(c, opts, true)).toEqual([1]);
  });

  it('without suppression (the model did NMS) only thresholds and maxBoxes apply', () => {
    expect(selectBoxes(candidates(rows), options({ maxBoxes: 3 }), false)).toEqual([0, 3, 1]);
  });
});

describe('decoding', () => {
  it('YOLOv5 rows: score = objectness × best class score, centre/size → corners', () => {
    // cx 50, cy 40, w 20, h 10, obj 0.5, classes [0.2, 0.8] → class 1, 0.4, box [40, 35, 60, 45]; second row obj 0.1
    const data = [50, 40, 20, 10, 0.5, 0.2, 0.8, 5, 5, 2, 2, 0.1, 0.9, 0.9];
    const [c] = decodeOutput(data, [1, 2, 7], options());
    expect(c.count).toBe(1);
    expect([c.x1[0], c.y1[0], c.x2[0], c.y2[0], c.classIndex[0]]).toEqual([40, 35, 60, 45, 1]);
    expect(c.score[0]).toBeCloseTo(0.4, 6);
  });

  it('YOLOv8 transposed [1, 4 + C, N]: no objectness, values column after column', () => {
    // two predictions: (cx 10, cy 20, w 4, h 6, [0.9, 0.1]) and (cx 30, cy 30, w 2, h 2, [0.1, 0.2] → below 0.25)
    const data = [10, 30, 20, 30, 4, 2, 6, 2, 0.9, 0.1, 0.1, 0.2];
    const [c] = decodeOutput(data, [1, 6, 2], options());
    expect(c.count).toBe(1);
    expect([c.x1[0], c.y1[0], c.x2[0], c.y2[0], c.classIndex[0]]).toEqual([8, 17, 12, 23, 0]);
    expect(c.score[0]).toBeCloseTo(0.9, 6);
  });

  it('xyxy-score-class: zero padding rows are dropped, a class outside the manifest is refused', () => {
    const data = [1, 2, 3, 4, 0.9, 1, 0, 0, 0, 0, 0, 0];
    const [c] = decodeOutput(data, [2, 6], options({ layout: 'xyxy-score-class' }));
    expect(c.count).toBe(1);
    expect(c.classIndex[0]).toBe(1);
    expect(codeOf(thrown(() => decodeOutput([1, 2, 3, 4, 0.9, 2], [1, 6],
      options({ layout: 'xyxy-score-class' }))))).toBe('DETECT_CLASS_INDEX');
    expect(codeOf(thrown(() => decodeOutput([1, 2, 3, 4, 0.9, 0.5], [1, 6],
      options({ layout: 'xyxy-score-class' }))))).toBe('DETECT_CLASS_INDEX');
  });

  it('dims that fit neither layout, or a data length that does not match them, are refused', () => {
    expect(codeOf(thrown(() => decodeOutput(new Float32Array(16), [2, 8], options())))).toBe('DETECT_OUTPUT_SHAPE');
    expect(codeOf(thrown(() => decodeOutput(new Float32Array(10), [2, 7], options())))).toBe('DETECT_OUTPUT_SHAPE');
    expect(codeOf(thrown(() => decodeOutput(new Float32Array(35), [5, 7],
      options({ layout: 'xyxy-score-class' }))))).toBe('DETECT_OUTPUT_SHAPE');
  });
});

describe('map-back', () => {
  // a portrait 2000 × 2500 source letterboxed into 640²: scale 640/2500 = 0.256, 512 px wide, 64 px padding left
  const scale = 0.256;
  const letterbox = (p: { x: number; y: number }) => ({ x: (p.x - 64) / scale, y: p.y / scale });
  const map = { toSourcePoint: letterbox, columns: 2000, rows: 2500 };

  it('a box maps back to source pixels; one inside the padding is dropped, one reaching into it is clipped', () => {
    // xyxy rows in model pixels: source [100, 200, 200, 400] → [89.6, 51.2, 115.2, 102.4]
    const data = [89.6, 51.2, 115.2, 102.4, 0.9, 0, 2, 2, 60, 30, 0.8, 0, 50, 0, 90, 10, 0.7, 1];
    const boxes = postprocessDetections(data, [1, 3, 6], options({ layout: 'xyxy-score-class' }), map);
    expect(boxes.length).toBe(2);
    const b = boxes[0].box;
    for (const [got, want] of [[b.x1, 100], [b.y1, 200], [b.x2, 200], [b.y2, 400]]) expect(got).toBeCloseTo(want, 3);
    expect(boxes[0].code).toEqual(metal);
    expect(boxes[1].box.x1).toBe(0);
    expect(boxes[1].box.x2).toBeCloseTo(26 / scale, 3);
    expect(boxes[1].code).toEqual(body);
    expect(boxes[0].slice).toBeUndefined();
  });

  it('per-slice batches carry their slice index; a batch that does not match the slices is refused', () => {
    const rows = [[10, 10, 20, 20, 0.9, 0], [0, 0, 0, 0, 0, 0], [30, 30, 40, 40, 0.8, 1]];
    const data = rows.flat();
    const boxes = postprocessDetections(data, [3, 1, 6], options({ layout: 'xyxy-score-class' }),
      { toSourcePoint: identity, slices: [4, 5, 6] });
    expect(boxes.map((d) => [d.slice, d.classIndex, d.box.x1])).toEqual([[4, 0, 10], [6, 1, 30]]);
    expect(codeOf(thrown(() => postprocessDetections(data, [3, 1, 6], options({ layout: 'xyxy-score-class' }),
      { toSourcePoint: identity, slices: [1, 2] })))).toBe('DETECT_BATCH');
    expect(codeOf(thrown(() => postprocessDetections(data, [3, 1, 6], options({ layout: 'xyxy-score-class' }),
      { toSourcePoint: identity })))).toBe('DETECT_BATCH');
  });
});

describe('10 000 raw YOLO boxes', () => {
  it('keeps exactly the best box of each of 2000 clusters of five overlapping boxes', () => {
    // cluster g: a 20×20 box on a 50 px grid (never touching another cluster), four copies shifted ≤ 2 px with lower
    // scores (IoU ≥ 0.67 with the first); the first's score is unique and highest in its cluster
    const n = 10_000;
    const width = 5 + 2;
    const data = new Float32Array(n * width);
    const expected: Array<[number, number]> = [];
    for (let g = 0; g < 2000; g++) {
      const cx = 25 + (g % 50) * 50;
      const cy = 25 + Math.floor(g / 50) * 50;
      for (let k = 0; k < 5; k++) {
        const r = (g * 5 + k) * width;
        data.set([cx + (k % 2) * 2, cy + (k >> 1) * 1, 20, 20, 1, 0.9 - k * 0.1 - g * 1e-5, 0.05], r);
      }
      expected.push([cx - 10, cy - 10]);
    }
    const started = performance.now();
    const boxes = postprocessDetections(data, [1, n, width], options({ maxBoxes: 5000 }), { toSourcePoint: identity });
    const ms = performance.now() - started;
    expect(boxes.length).toBe(2000);
    expect(boxes.map((b) => [b.box.x1, b.box.y1])).toEqual(expected);
    expect(ms).toBeLessThan(2000);   // generous: the machine is shared; bench:kinds measures it properly
  });
});
