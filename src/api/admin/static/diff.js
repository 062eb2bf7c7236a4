// A line diff (longest common subsequence) of two texts, for comparing pretty-printed rule sets.

/** Returns [{ kind: 'same'|'added'|'removed', text }] turning `before` into `after`. */
export function lineDiff(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  // Trim the common head and tail so the quadratic table only covers the changed middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const out = a.slice(0, head).map((text) => ({ kind: 'same', text }));
  out.push(...diffMiddle(midA, midB));
  out.push(...a.slice(a.length - tail).map((text) => ({ kind: 'same', text })));
  return out;
}

function diffMiddle(a, b) {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * cols + j] = a[i] === b[j] ? lcs[(i + 1) * cols + j + 1] + 1 : Math.max(lcs[(i + 1) * cols + j], lcs[i * cols + j + 1]);
    }
  }
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { out.push({ kind: 'same', text: a[i] }); i++; j++; }
    else if (lcs[(i + 1) * cols + j] >= lcs[i * cols + j + 1]) out.push({ kind: 'removed', text: a[i++] });
    else out.push({ kind: 'added', text: b[j++] });
  }
  while (i < a.length) out.push({ kind: 'removed', text: a[i++] });
  while (j < b.length) out.push({ kind: 'added', text: b[j++] });
  return out;
}

/** Keep `context` unchanged lines around each change; longer unchanged runs become one `gap` entry. */
export function collapseUnchanged(lines, context = 3) {
  const near = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.kind === 'same') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) near[k] = 1;
  });
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (near[i]) { out.push(lines[i]); continue; }
    let j = i;
    while (j < lines.length && !near[j]) j++;
    out.push({ kind: 'gap', text: `… ${j - i} unchanged line${j - i === 1 ? '' : 's'}` });
    i = j - 1;
  }
  return out;
}
