// Model output tensor → candidate boxes in model-input pixels, one list per batch item, below-threshold rows dropped.
import type { Candidates, DetectionOptions } from './types.js';
import { DetectError } from './errors.js';

/** How the rows of one output lie in memory: `width` values per row, either row after row or column after column. */
interface Layout { batch: number; rows: number; width: number; transposed: boolean; objectness: boolean }

/**
 * Accepted shapes. xyxy-score-class: [N, 6] or [B, N, 6]. yolo: rows of 4 + C values (YOLOv8: cx, cy, w, h,
 * class scores) or 5 + C (YOLOv5: cx, cy, w, h, objectness, class scores), C = the manifest's class count, as
 * [N, W], [B, N, W], or transposed [B, W, N] (the usual YOLOv8 export, [1, 84, 8400]). Scores must already be
 * probabilities (the exports apply the sigmoid); coordinates must be model-input pixels, not 0..1.
 */
export function decodeOutput(data: ArrayLike<number>, dims: readonly number[],
  options: DetectionOptions): Candidates[] {
  const layout = options.layout === 'yolo' ? yoloLayout(dims, options.classes.length) : xyxyLayout(dims);
  if (data.length !== layout.batch * layout.rows * layout.width) {
    throw new DetectError('DETECT_OUTPUT_SHAPE',
      `output has ${data.length} values, dims [${dims.join(', ')}] need ${layout.batch * layout.rows * layout.width}`);
  }
  const out: Candidates[] = [];
  for (let b = 0; b < layout.batch; b++) {
    out.push(options.layout === 'yolo' ? decodeYolo(data, b, layout, options) : decodeXyxy(data, b, layout, options));
  }
  return out;
}

function xyxyLayout(dims: readonly number[]): Layout {
  const d = dims.length === 2 ? [1, ...dims] : [...dims];
  if (d.length !== 3 || d[2] !== 6) {
    throw new DetectError('DETECT_OUTPUT_SHAPE',
      `xyxy-score-class needs dims [N, 6] or [B, N, 6], got [${dims.join(', ')}]`);
  }
  return { batch: d[0], rows: d[1], width: 6, transposed: false, objectness: false };
}

function yoloLayout(dims: readonly number[], classes: number): Layout {
  const d = dims.length === 2 ? [1, ...dims] : [...dims];
  const widths = [4 + classes, 5 + classes];
  if (d.length === 3 && widths.includes(d[2])) {
    return { batch: d[0], rows: d[1], width: d[2], transposed: false, objectness: d[2] === 5 + classes };
  }
  if (d.length === 3 && widths.includes(d[1])) {
    return { batch: d[0], rows: d[2], width: d[1], transposed: true, objectness: d[1] === 5 + classes };
  }
  throw new DetectError('DETECT_OUTPUT_SHAPE',
    `yolo with ${classes} classes needs rows of ${widths.join(' or ')} values ([N, W], [B, N, W] or [B, W, N]), got [${dims.join(', ')}]`);
}

function decodeXyxy(data: ArrayLike<number>, b: number, l: Layout, o: DetectionOptions): Candidates {
  const c = emptyCandidates(l.rows);
  const base = b * l.rows * 6;
  for (let r = 0; r < l.rows; r++) {
    const at = base + r * 6;
    const score = data[at + 4];
    if (!(score >= o.scoreThreshold)) continue;   // also drops NaN and zero-padded rows
    const cls = data[at + 5];
    if (!Number.isInteger(cls) || cls < 0 || cls >= o.classes.length) {
      throw new DetectError('DETECT_CLASS_INDEX',
        `row ${r} names class ${cls}; the manifest lists ${o.classes.length} classes (0..${o.classes.length - 1})`);
    }
    push(c, data[at], data[at + 1], data[at + 2], data[at + 3], score, cls);
  }
  return c;
}

function decodeYolo(data: ArrayLike<number>, b: number, l: Layout, o: DetectionOptions): Candidates {
  const c = emptyCandidates(l.rows);
  const base = b * l.rows * l.width;
  // value v of row r: row-major at r*width+v, transposed at v*rows+r
  const rowStep = l.transposed ? 1 : l.width;
  const valueStep = l.transposed ? l.rows : 1;
  const first = l.objectness ? 5 : 4;
  const classes = o.classes.length;
  for (let r = 0; r < l.rows; r++) {
    const at = base + r * rowStep;
    const objectness = l.objectness ? data[at + 4 * valueStep] : 1;
    if (!(objectness >= o.scoreThreshold)) continue;   // the score is objectness × class score ≤ objectness
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < classes; k++) {
      const s = data[at + (first + k) * valueStep];
      if (s > bestScore) { bestScore = s; best = k; }
    }
    const score = objectness * bestScore;
    if (!(score >= o.scoreThreshold)) continue;
    const cx = data[at];
    const cy = data[at + valueStep];
    const hw = data[at + 2 * valueStep] / 2;
    const hh = data[at + 3 * valueStep] / 2;
    push(c, cx - hw, cy - hh, cx + hw, cy + hh, score, best);
  }
  return c;
}

export function emptyCandidates(capacity: number): Candidates {
  return {
    count: 0, x1: new Float32Array(capacity), y1: new Float32Array(capacity), x2: new Float32Array(capacity),
    y2: new Float32Array(capacity), score: new Float32Array(capacity), classIndex: new Int32Array(capacity),
  };
}

function push(c: Candidates, x1: number, y1: number, x2: number, y2: number, score: number, cls: number): void {
  const i = c.count++;
  c.x1[i] = Math.min(x1, x2); c.y1[i] = Math.min(y1, y2); c.x2[i] = Math.max(x1, x2); c.y2[i] = Math.max(y1, y2);
  c.score[i] = score; c.classIndex[i] = cls;
}
